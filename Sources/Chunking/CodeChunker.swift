/// Splits source code at top-level declarations — functions, types, methods — so a chunk holds
/// whole declarations where they fit, with the declaration's name in its metadata.
///
/// Languages: Swift, Python, JavaScript/TypeScript and Go. Brace languages are read by brace
/// depth (braces inside strings, character literals and comments are ignored); Python by
/// indentation. A declaration starts at a line at depth 0 (Python: column 0) that begins with a
/// declaration keyword, and takes the comments and attributes (`@…`, `///`, `#[…]`) directly
/// above it. Lines between declarations (imports, top-level statements) form their own units.
/// Units are packed whole into chunks up to the size; a declaration larger than the size is
/// split inside at its members (depth 1 declarations), then at line ends, like
/// ``RecursiveChunker``. Metadata: `symbol` (the first declaration's name in the chunk) and
/// `kind` (`func`, `class`, `struct`, … or `code`). The guarantees of ``RecursiveChunker`` hold.
public struct CodeChunker: Sendable {
    /// A language the chunker understands.
    public enum Language: String, Sendable, CaseIterable {
        /// Swift.
        case swift
        /// Python.
        case python
        /// JavaScript and TypeScript.
        case javaScript = "javascript"
        /// Go.
        case go
    }

    /// The language of the source.
    public let language: Language
    /// The size and overlap.
    public let size: ChunkSize

    /// Creates a chunker.
    ///
    /// - Throws: ``ChunkingError/invalidSize(_:)``.
    public init(language: Language, size: ChunkSize) throws(ChunkingError) {
        try size.validate()
        self.language = language
        self.size = size
    }

    /// The chunks of `code`, in order.
    public func chunks(of code: String, metadata: [String: String] = [:]) -> [Chunk] {
        let source = SourceText(code, size: size)
        let packer = Packer(source: source)
        let units = CodeStructure(language: language, bytes: source.bytes).units()
        var pieces: [Packer.Piece] = []
        for unit in units { pieces += packer.pieces(of: unit.range, from: .lines) }
        let ranges = packer.pack(pieces)
        return ranges.enumerated().map { index, range in
            var chunkMetadata = metadata
            let unit = units.first { $0.range.overlaps(range) && $0.symbol != nil } ?? units.first { $0.range.overlaps(range) }
            chunkMetadata["kind"] = unit?.kind ?? "code"
            if let symbol = unit?.symbol { chunkMetadata["symbol"] = symbol }
            return source.chunk(range, index: index, metadata: chunkMetadata)
        }
    }
}

/// Finds the top-level units of a source file.
struct CodeStructure {
    struct Unit {
        var range: Range<Int>
        var kind: String
        var symbol: String?
    }

    let language: CodeChunker.Language
    let bytes: [UInt8]

    /// Words that may begin a declaration line, per language.
    private static let leadingWords: [CodeChunker.Language: Set<String>] = [
        .swift: [
            "func", "class", "struct", "enum", "protocol", "extension", "actor", "init", "var", "let", "typealias",
            "public", "private", "internal", "fileprivate", "open", "final", "static", "package", "nonisolated", "indirect",
            "mutating", "override", "convenience", "required",
        ],
        .python: ["def", "class", "async"],
        .javaScript: ["function", "class", "const", "let", "var", "export", "async", "interface", "type", "enum", "abstract", "declare"],
        .go: ["func", "type", "var", "const"],
    ]

    /// The words that name a declaration's kind; the word after one is its name.
    private static let declarationKeywords: Set<String> = [
        "func", "class", "struct", "enum", "protocol", "extension", "actor", "init", "var", "let", "typealias", "def",
        "function", "const", "interface", "type",
    ]

    /// Units tiling the file: declarations (with the comments and attributes above them) and the code between.
    func units() -> [Unit] {
        let lines = lineRanges()
        var starts: [(line: Int, kind: String, symbol: String?)] = []
        var depth = 0
        var state = LexState.code
        for (number, line) in lines.enumerated() {
            let text = String(decoding: bytes[line], as: UTF8.self)
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            let atTop = language == .python ? (trimmed.count == text.count && !trimmed.isEmpty) : depth == 0 && state == .code
            if atTop, let (kind, symbol) = declaration(String(trimmed)) {
                // Pull the comments and attributes directly above into this declaration.
                var first = number
                while first > 0, isLeading(lines[first - 1]) { first -= 1 }
                if let last = starts.last, last.line >= first { first = last.line + 1 }
                starts.append((first, kind, symbol))
            }
            if language != .python { depth = max(0, depth + braceDelta(line, state: &state)) }
        }
        var units: [Unit] = []
        var position = 0
        for (index, start) in starts.enumerated() {
            let begin = lines[start.line].lowerBound
            if begin > position { units.append(Unit(range: position..<begin, kind: "code", symbol: nil)) }
            let end = index + 1 < starts.count ? lines[starts[index + 1].line].lowerBound : bytes.count
            units.append(Unit(range: begin..<end, kind: start.kind, symbol: start.symbol))
            position = end
        }
        if position < bytes.count { units.append(Unit(range: position..<bytes.count, kind: "code", symbol: nil)) }
        return units.filter { !$0.range.isEmpty }
    }

    private func lineRanges() -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 10 {
            lines.append(start..<(index + 1))
            start = index + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        return lines
    }

    /// A comment or attribute line that belongs to the declaration below it.
    private func isLeading(_ line: Range<Int>) -> Bool {
        let text = String(decoding: bytes[line], as: UTF8.self).drop { $0 == " " || $0 == "\t" }
        return text.hasPrefix("//") || text.hasPrefix("/*") || text.hasPrefix("*") || text.hasPrefix("#[")
            || (text.hasPrefix("#") && language == .python) || text.hasPrefix("@")
    }

    /// The kind and name of a declaration starting this line, or nil.
    private func declaration(_ line: String) -> (String, String?)? {
        let words = line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "@" || $0 == "$") })
            .map(String.init)
        // Attributes and decorators (`@MainActor final class …`) may come first on the line.
        guard let first = words.first(where: { !$0.hasPrefix("@") }), Self.leadingWords[language]?.contains(first) == true
        else { return nil }
        guard let position = words.firstIndex(where: Self.declarationKeywords.contains) else { return nil }
        let kind = words[position]
        var name = position + 1 < words.count ? words[position + 1] : nil
        // Go methods: func (r *T) Name(…)
        if language == .go, kind == "func", line.dropFirst(4).drop(while: { $0 == " " }).first == "(",
            let close = line.firstIndex(of: ")")
        {
            name = line[line.index(after: close)...].split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).first
                .map(String.init)
        }
        if kind == "init" { name = "init" }
        return (kind, name)
    }

    private enum LexState { case code, blockComment }

    /// The change in brace depth over a line, skipping strings, character literals and comments.
    private func braceDelta(_ line: Range<Int>, state: inout LexState) -> Int {
        var delta = 0
        var index = line.lowerBound
        var quote: UInt8? = nil
        while index < line.upperBound {
            let byte = bytes[index]
            let next = index + 1 < line.upperBound ? bytes[index + 1] : 0
            if state == .blockComment {
                if byte == UInt8(ascii: "*"), next == UInt8(ascii: "/") { state = .code; index += 1 }
            } else if let open = quote {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
                break
            } else if byte == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                state = .blockComment
                index += 1
            } else if byte == 34 || byte == 39 || byte == 96 {
                quote = byte
            } else if byte == UInt8(ascii: "{") {
                delta += 1
            } else if byte == UInt8(ascii: "}") {
                delta -= 1
            }
            index += 1
        }
        return delta
    }
}
