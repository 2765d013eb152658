/// Splits text at the most natural boundary that makes pieces fit, then packs neighbouring
/// pieces into chunks as large as the size allows.
///
/// **Semantics, exactly.** The text is cut at paragraph breaks (a run of newlines holding a blank
/// line); any part still over the limit is cut at line ends, then after sentence ends (see
/// `SentenceChunker`), then after runs of spaces, then between characters. Cuts go after the
/// separator, so separators stay with the text before them and the pieces tile the text. Pieces
/// are then packed greedily, in order, into chunks of at most `size.limit` units; with
/// `size.overlap` > 0 each chunk begins with the last whole pieces of the chunk before, totalling
/// at most `size.overlap` units (fewer when a whole piece would not fit).
///
/// **Guarantees.** No chunk is over the limit, measured on the chunk's own text (a single
/// character over a token limit — a long emoji sequence under a tiny limit — is the one
/// exception, as characters are never split). Without overlap the chunks tile the text in order,
/// except that a chunk of only white space is dropped; with overlap, consecutive chunks share at
/// most `size.overlap` units. Empty or blank text gives no chunks. Chunks never split a grapheme
/// cluster (emoji, combining marks and CRLF stay whole).
public struct RecursiveChunker: Sendable {
    /// The size and overlap.
    public let size: ChunkSize

    /// Creates a chunker.
    ///
    /// - Throws: ``ChunkingError/invalidSize(_:)`` for a limit ≤ 0 or an overlap outside 0..<limit.
    public init(size: ChunkSize) throws(ChunkingError) {
        try size.validate()
        self.size = size
    }

    /// The chunks of `text`, in order.
    public func chunks(of text: String, metadata: [String: String] = [:]) -> [Chunk] {
        let source = SourceText(text, size: size)
        let packer = Packer(source: source)
        let ranges = packer.pack(packer.pieces(of: 0..<source.bytes.count))
        return ranges.enumerated().map { source.chunk($1, index: $0, metadata: metadata) }
    }
}
