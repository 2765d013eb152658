/// Chunks Markdown by its structure: headings open sections, and chunks never cross a section.
///
/// Within a section, the blocks — paragraphs, fenced code blocks (``` or ~~~), tables and list
/// items (with their indented continuation lines) — are packed whole into chunks up to the
/// size, so a block that fits in a chunk is never split; a block that does not fit is split like
/// ``RecursiveChunker`` would (code blocks at line ends first). Each chunk's metadata holds
/// `headerPath`: the headings above it, outermost first, joined by " > " (empty before the first
/// heading). Headings inside code fences are code, not headings. The guarantees of
/// ``RecursiveChunker`` hold: no chunk over the limit, ranges in order and (without overlap)
/// tiling the text up to blank stretches, no split grapheme clusters.
public struct MarkdownChunker: Sendable {
    /// The size and overlap (overlap applies within a section).
    public let size: ChunkSize

    /// Creates a chunker.
    ///
    /// - Throws: ``ChunkingError/invalidSize(_:)``.
    public init(size: ChunkSize) throws(ChunkingError) {
        try size.validate()
        self.size = size
    }

    /// The chunks of `markdown`, in order.
    public func chunks(of markdown: String, metadata: [String: String] = [:]) -> [Chunk] {
        let source = SourceText(markdown, size: size)
        let packer = Packer(source: source)
        var chunks: [Chunk] = []
        for section in MarkdownStructure.sections(of: source.bytes) {
            var pieces: [Packer.Piece] = []
            for block in section.blocks {
                pieces += packer.pieces(of: block.range, from: block.isCode ? .lines : .paragraphs)
            }
            var chunkMetadata = metadata
            chunkMetadata["headerPath"] = section.headerPath.joined(separator: " > ")
            for range in packer.pack(pieces) {
                chunks.append(source.chunk(range, index: chunks.count, metadata: chunkMetadata))
            }
        }
        return chunks
    }
}

/// The block structure of a Markdown text, found line by line.
enum MarkdownStructure {
    struct Block {
        var range: Range<Int>
        var isCode: Bool
    }

    struct Section {
        var headerPath: [String]
        var blocks: [Block]
    }

    private enum LineKind: Equatable { case blank, heading(level: Int, title: String), fence, tableRow, listItem, indented, text }

    static func sections(of bytes: [UInt8]) -> [Section] {
        var lines: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 10 {
            lines.append(start..<(index + 1))
            start = index + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }

        var sections = [Section(headerPath: [], blocks: [])]
        var headings: [(level: Int, title: String)] = []
        var lineIndex = 0
        func appendBlock(_ range: Range<Int>, isCode: Bool) {
            sections[sections.count - 1].blocks.append(Block(range: range, isCode: isCode))
        }
        /// Extends a block over the blank lines after it, so they stay with it.
        func extendOverBlanks(_ end: inout Int) {
            while lineIndex < lines.count, kind(of: lines[lineIndex], in: bytes) == .blank {
                end = lines[lineIndex].upperBound
                lineIndex += 1
            }
        }
        while lineIndex < lines.count {
            let line = lines[lineIndex]
            let lineKind = kind(of: line, in: bytes)
            var end = line.upperBound
            lineIndex += 1
            switch lineKind {
            case .heading(let level, let title):
                while let last = headings.last, last.level >= level { headings.removeLast() }
                headings.append((level, title))
                sections.append(Section(headerPath: headings.map(\.title), blocks: []))
                extendOverBlanks(&end)
                appendBlock(line.lowerBound..<end, isCode: false)
            case .fence:
                let marker = fenceMarker(of: line, in: bytes)
                while lineIndex < lines.count {
                    let inner = lines[lineIndex]
                    end = inner.upperBound
                    lineIndex += 1
                    if kind(of: inner, in: bytes) == .fence, fenceMarker(of: inner, in: bytes) == marker { break }
                }
                extendOverBlanks(&end)
                appendBlock(line.lowerBound..<end, isCode: true)
            case .tableRow:
                while lineIndex < lines.count, kind(of: lines[lineIndex], in: bytes) == .tableRow {
                    end = lines[lineIndex].upperBound
                    lineIndex += 1
                }
                extendOverBlanks(&end)
                appendBlock(line.lowerBound..<end, isCode: false)
            case .listItem:
                while lineIndex < lines.count, kind(of: lines[lineIndex], in: bytes) == .indented {
                    end = lines[lineIndex].upperBound
                    lineIndex += 1
                }
                extendOverBlanks(&end)
                appendBlock(line.lowerBound..<end, isCode: false)
            case .blank, .text, .indented:
                while lineIndex < lines.count {
                    let next = kind(of: lines[lineIndex], in: bytes)
                    guard next == .text || next == .indented else { break }
                    end = lines[lineIndex].upperBound
                    lineIndex += 1
                }
                extendOverBlanks(&end)
                appendBlock(line.lowerBound..<end, isCode: false)
            }
        }
        return sections.filter { !$0.blocks.isEmpty }
    }

    private static func kind(of line: Range<Int>, in bytes: [UInt8]) -> LineKind {
        var index = line.lowerBound
        var indent = 0
        while index < line.upperBound, bytes[index] == 32 || bytes[index] == 9 {
            indent += bytes[index] == 9 ? 4 : 1
            index += 1
        }
        guard index < line.upperBound, bytes[index] != 10, bytes[index] != 13 else { return .blank }
        let rest = bytes[index..<line.upperBound]
        if indent < 4 {
            if rest.starts(with: Array("```".utf8)) || rest.starts(with: Array("~~~".utf8)) { return .fence }
            if bytes[index] == UInt8(ascii: "#") {
                var level = 0
                while index + level < line.upperBound, bytes[index + level] == UInt8(ascii: "#") { level += 1 }
                let after = index + level
                if level <= 6, after == line.upperBound || bytes[after] == 32 || bytes[after] == 10 || bytes[after] == 13 {
                    let title = String(decoding: bytes[after..<line.upperBound], as: UTF8.self)
                        .trimmingCharacters(in: [" ", "#", "\t", "\r", "\n", "\r\n"])
                    return .heading(level: level, title: title)
                }
            }
            if bytes[index] == UInt8(ascii: "|") { return .tableRow }
        }
        if isListMarker(rest) { return .listItem }
        return indent > 0 ? .indented : .text
    }

    private static func isListMarker(_ rest: ArraySlice<UInt8>) -> Bool {
        guard let first = rest.first else { return false }
        let second = rest.dropFirst().first
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            return second == 32 || second == 9
        }
        let digits = rest.prefix(while: { (48...57).contains($0) })
        guard !digits.isEmpty, digits.count <= 9 else { return false }
        let after = rest.dropFirst(digits.count)
        guard let marker = after.first, marker == UInt8(ascii: ".") || marker == UInt8(ascii: ")") else { return false }
        let space = after.dropFirst().first
        return space == 32 || space == 9
    }

    private static func fenceMarker(of line: Range<Int>, in bytes: [UInt8]) -> UInt8 {
        bytes[line].first { $0 == UInt8(ascii: "`") || $0 == UInt8(ascii: "~") } ?? 0
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    fileprivate func trimmingCharacters(in characters: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
