/// Splits text into the pieces BPE merges within, exactly as tiktoken's regular expressions do,
/// written out by hand (one pass, no regex engine).
///
/// The text is first decoded into per-scalar classes and byte offsets; each `pieceEnd` below
/// mirrors one encoding's pattern alternative by alternative, including where the regex would
/// backtrack, and says so in comments.
struct PreTokenizer: Sendable {
    enum Pattern: Sendable { case cl100k, o200k }
    let pattern: Pattern

    /// Calls `body` with the UTF-8 byte range of each piece, in order.
    func forEachPiece(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var scalars = ScalarView(text)
        guard scalars.count > 0 else { return }
        var index = 0
        while index < scalars.count {
            let end = pattern == .cl100k ? cl100kPieceEnd(at: index, in: &scalars) : o200kPieceEnd(at: index, in: &scalars)
            body(scalars.offset(index)..<scalars.offset(end))
            index = end
        }
    }

    // MARK: - cl100k_base
    // '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s

    private func cl100kPieceEnd(at start: Int, in text: inout ScalarView) -> Int {
        let count = text.count
        let first = text.kind(start)
        if let end = contraction(at: start, in: text) { return end }
        // [^\r\n\p{L}\p{N}]?+\p{L}++ — the lead is possessive: once taken it is not given back.
        var letters = first.isWordLead ? start + 1 : start
        if letters < count, text.kind(letters).isLetter {
            while letters < count, text.kind(letters).isLetter { letters += 1 }
            return letters
        }
        // \p{N}{1,3}+
        if first.isNumber {
            var end = start + 1
            while end < count, end < start + 3, text.kind(end).isNumber { end += 1 }
            return end
        }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        if let end = punctuation(at: start, in: text, trailing: { $0.isNewline }) { return end }
        return whitespaceEnd(at: start, in: text, singleNewline: true)
    }

    // MARK: - o200k_base
    // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
    // |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
    // |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+

    private func o200kPieceEnd(at start: Int, in text: inout ScalarView) -> Int {
        let count = text.count
        let first = text.kind(start)
        // The lead is optional and greedy (not possessive): the regex tries each word alternative
        // with it, then without it, before moving to the next alternative.
        let hasLead = first.isWordLead && start + 1 < count
        if hasLead, let end = lowerTailWordEnd(from: start + 1, in: text) { return contractionEnd(after: end, in: text) }
        if let end = lowerTailWordEnd(from: start, in: text) { return contractionEnd(after: end, in: text) }
        if hasLead, let end = upperWordEnd(from: start + 1, in: text) { return contractionEnd(after: end, in: text) }
        if let end = upperWordEnd(from: start, in: text) { return contractionEnd(after: end, in: text) }
        if first.isNumber {
            var end = start + 1
            while end < count, end < start + 3, text.kind(end).isNumber { end += 1 }
            return end
        }
        if let end = punctuation(at: start, in: text, trailing: { $0.isNewline || $0.contains(.slash) }) { return end }
        return whitespaceEnd(at: start, in: text, singleNewline: false)
    }

    /// `U*W+` from `start`: U* greedy, then backtracking until W+ can match.
    private func lowerTailWordEnd(from start: Int, in text: ScalarView) -> Int? {
        let count = text.count
        var upperEnd = start
        while upperEnd < count, text.kind(upperEnd).isUpperRun { upperEnd += 1 }
        if upperEnd < count, text.kind(upperEnd).isLowerRun {
            var end = upperEnd
            while end < count, text.kind(end).isLowerRun { end += 1 }
            return end
        }
        // Give back characters of the U run until one of them can start W+; W+ then ends right
        // after it, since what follows it in the run is not in W.
        var candidate = upperEnd - 1
        while candidate >= start {
            if text.kind(candidate).isLowerRun { return candidate + 1 }
            candidate -= 1
        }
        return nil
    }

    /// `U+W*` from `start`.
    private func upperWordEnd(from start: Int, in text: ScalarView) -> Int? {
        let count = text.count
        var end = start
        while end < count, text.kind(end).isUpperRun { end += 1 }
        guard end > start else { return nil }
        while end < count, text.kind(end).isLowerRun { end += 1 }
        return end
    }

    // MARK: - Shared alternatives

    /// `'(?i:s|t|re|ve|m|ll|d)` at `start`, or nil. Case-insensitive matching in Unicode mode
    /// also lets U+017F (long s) stand for `s`.
    private func contraction(at start: Int, in text: ScalarView) -> Int? {
        guard start + 1 < text.count, text.scalar(start) == "'" else { return nil }
        switch text.scalar(start + 1) {
        case "s", "S", "t", "T", "m", "M", "d", "D", "\u{017F}": return start + 2
        case "l", "L", "v", "V", "r", "R":
            guard start + 2 < text.count else { return nil }
            let first = text.scalar(start + 1).properties.lowercaseMapping
            let second = text.scalar(start + 2).properties.lowercaseMapping
            return (first == "l" && second == "l") || (first == "v" && second == "e") || (first == "r" && second == "e")
                ? start + 3 : nil
        default: return nil
        }
    }

    private func contractionEnd(after end: Int, in text: ScalarView) -> Int {
        contraction(at: end, in: text) ?? end
    }

    /// ` ?[^\s\p{L}\p{N}]+` followed by a run of `trailing` characters.
    private func punctuation(at start: Int, in text: ScalarView, trailing: (ScalarClass) -> Bool) -> Int? {
        let count = text.count
        var end = start
        if text.scalar(start) == " ", start + 1 < count, text.kind(start + 1).isOther { end = start + 1 }
        guard text.kind(end).isOther else { return nil }
        while end < count, text.kind(end).isOther { end += 1 }
        while end < count, trailing(text.kind(end)) { end += 1 }
        return end
    }

    /// The whitespace alternatives: `\s++$` (cl100k) / `\s+(?!\S)` at the end of the text; then
    /// `\s*[\r\n]` (cl100k: up to the last newline of the run) or `\s*[\r\n]+` (o200k: the same end,
    /// since the newlines after the last one are none); then `\s+(?!\S)` (all but the run's last
    /// character, leaving it to lead the next word); then `\s` (cl100k) or `\s+` (o200k).
    private func whitespaceEnd(at start: Int, in text: ScalarView, singleNewline: Bool) -> Int {
        let count = text.count
        guard text.kind(start).isWhitespace else { return start + 1 }  // unreachable for valid classes
        var runEnd = start
        while runEnd < count, text.kind(runEnd).isWhitespace { runEnd += 1 }
        if runEnd == count { return count }
        var lastNewline = runEnd - 1
        while lastNewline >= start, !text.kind(lastNewline).isNewline { lastNewline -= 1 }
        if lastNewline >= start { return lastNewline + 1 }
        if runEnd - start >= 2 { return runEnd - 1 }
        return singleNewline ? start + 1 : runEnd
    }
}

/// The scalars of a UTF-8 buffer with their classes and byte offsets, decoded once.
struct ScalarView {
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var kinds: [ScalarClass] = []
    private(set) var offsets: [Int] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        scalars.reserveCapacity(bytes.count)
        kinds.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let scalar: Unicode.Scalar
            let length: Int
            if lead < 0x80 {
                scalar = Unicode.Scalar(lead)
                length = 1
            } else {
                length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for continuation in 1..<length { value = value << 6 | UInt32(bytes[index + continuation] & 0x3F) }
                scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            }
            scalars.append(scalar)
            kinds.append(ScalarClass.of(scalar))
            offsets.append(index)
            index += length
        }
        offsets.append(bytes.count)
    }

    var count: Int { scalars.count }
    @inline(__always) func kind(_ index: Int) -> ScalarClass { kinds[index] }
    @inline(__always) func scalar(_ index: Int) -> Unicode.Scalar { scalars[index] }
    @inline(__always) func offset(_ index: Int) -> Int { offsets[index] }
}
