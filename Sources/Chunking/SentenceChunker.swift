/// Packs whole sentences into chunks, with overlap in whole sentences.
///
/// Sentences end at `.`, `!`, `?`, `…` or `。！？` followed by white space (after any closing
/// quotes or brackets), and at paragraph breaks; abbreviations ("e.g.", "Dr.", "etc."), initials
/// ("J. Smith"), decimals (3.14) and an ellipsis followed by a lowercase word do not end one. The
/// white space after a sentence stays with it. A sentence longer than the limit is split at
/// spaces, then between characters, like ``RecursiveChunker``, whose guarantees this chunker shares.
public struct SentenceChunker: Sendable {
    /// The size and overlap.
    public let size: ChunkSize

    /// Creates a chunker.
    ///
    /// - Throws: ``ChunkingError/invalidSize(_:)``.
    public init(size: ChunkSize) throws(ChunkingError) {
        try size.validate()
        self.size = size
    }

    /// The sentences of `text` as byte ranges that tile it (for callers who want them unpacked).
    public static func sentenceRanges(in text: String) -> [Range<Int>] {
        let source = SourceText(text, size: .characters(1))
        return ranges(between: cuts(in: 0..<source.bytes.count, of: source), in: 0..<source.bytes.count)
    }

    /// The chunks of `text`, in order.
    public func chunks(of text: String, metadata: [String: String] = [:]) -> [Chunk] {
        let source = SourceText(text, size: size)
        let packer = Packer(source: source)
        let whole = 0..<source.bytes.count
        var pieces: [Packer.Piece] = []
        for sentence in Self.ranges(between: Self.cuts(in: whole, of: source), in: whole) {
            pieces += packer.pieces(of: sentence, from: .words)
        }
        return packer.pack(pieces).enumerated().map { source.chunk($1, index: $0, metadata: metadata) }
    }

    private static func cuts(in range: Range<Int>, of source: SourceText) -> [Int] {
        let all = Set(SplitLevel.paragraphs.cuts(in: range, of: source) + SplitLevel.sentences.cuts(in: range, of: source))
        return all.sorted()
    }

    private static func ranges(between cuts: [Int], in range: Range<Int>) -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        var result: [Range<Int>] = []
        var start = range.lowerBound
        for cut in cuts + [range.upperBound] where cut > start {
            result.append(start..<cut)
            start = cut
        }
        return result
    }
}
