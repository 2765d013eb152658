/// Where a text may be cut, coarsest first: the recursive chunker's separator hierarchy.
///
/// A cut goes *after* its separator, so the separator stays with the text before it and the
/// pieces tile the text. Every cut is at a grapheme-cluster boundary.
enum SplitLevel: Int, CaseIterable, Sendable {
    /// After a run of newlines holding a blank line.
    case paragraphs
    /// After each newline.
    case lines
    /// After a sentence's end and the white space following it (see ``SentenceBoundaries``).
    case sentences
    /// After each run of spaces or tabs.
    case words
    /// Between any two characters.
    case characters

    var finer: SplitLevel? { SplitLevel(rawValue: rawValue + 1) }

    /// The cut offsets strictly inside `range`, ascending.
    func cuts(in range: Range<Int>, of source: SourceText) -> [Int] {
        let bytes = source.bytes
        var cuts: [Int] = []
        switch self {
        case .paragraphs:
            var index = range.lowerBound
            while index < range.upperBound {
                guard bytes[index] == 10 || bytes[index] == 13 else { index += 1; continue }
                var end = index
                var newlines = 0
                while end < range.upperBound, bytes[end] == 10 || bytes[end] == 13 || bytes[end] == 32 || bytes[end] == 9 {
                    if bytes[end] == 10 { newlines += 1 }
                    end += 1
                }
                // Leave the next line's indentation to it.
                while end > index, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
                if newlines >= 2 { cuts.append(end) }
                index = max(end, index + 1)
            }
        case .lines:
            for index in range where bytes[index] == 10 { cuts.append(index + 1) }
        case .sentences:
            cuts = SentenceBoundaries.cuts(in: range, of: bytes)
        case .words:
            var index = range.lowerBound
            while index < range.upperBound {
                if bytes[index] == 32 || bytes[index] == 9 {
                    var end = index
                    while end < range.upperBound, bytes[end] == 32 || bytes[end] == 9 { end += 1 }
                    cuts.append(end)
                    index = end
                } else {
                    index += 1
                }
            }
        case .characters:
            cuts = Array((range.lowerBound + 1)..<max(range.lowerBound + 1, range.upperBound))
        }
        return cuts.filter { $0 > range.lowerBound && $0 < range.upperBound && source.isBoundary($0) }
    }
}
