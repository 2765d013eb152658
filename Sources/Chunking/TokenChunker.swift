import Tokenizers

/// Fixed windows of `limit` tokens, each starting `limit − overlap` tokens after the one before.
///
/// Tokens are those of the whole text's encoding, so a window's count is exact in that sense
/// (re-encoding a window's text alone can differ by a token at its edges, where a word was cut
/// between two of its tokens). A window never ends inside a grapheme cluster: when token `limit`
/// ends mid-cluster (an emoji spans several tokens), the window ends at the last token boundary
/// that is also a cluster boundary, so it holds fewer tokens; the next window starts at a
/// cluster boundary too. Windows therefore hold at most `limit` tokens and overlap by at most
/// `overlap` tokens; without overlap they tile the text.
public struct TokenChunker: Sendable {
    /// The tokenizer whose tokens are counted.
    public let tokenizer: BPETokenizer
    /// Tokens per window.
    public let limit: Int
    /// Tokens shared by consecutive windows.
    public let overlap: Int

    /// Creates a chunker.
    ///
    /// - Throws: ``ChunkingError/invalidSize(_:)`` for a limit ≤ 0 or an overlap outside 0..<limit.
    public init(tokenizer: BPETokenizer, limit: Int, overlap: Int = 0) throws(ChunkingError) {
        try ChunkSize.tokens(limit, overlap: overlap, counter: tokenizer).validate()
        self.tokenizer = tokenizer
        self.limit = limit
        self.overlap = overlap
    }

    /// The windows of `text`, in order; special-token spellings count as text.
    public func chunks(of text: String, metadata: [String: String] = [:]) -> [Chunk] {
        let source = SourceText(text, size: .characters(limit))
        guard !source.isBlank(0..<source.bytes.count) else { return [] }
        let ids = tokenizer.encodeOrdinary(text)
        // offsets[i] is the byte offset where token i starts; offsets[ids.count] is the end.
        var offsets = [0]
        offsets.reserveCapacity(ids.count + 1)
        for id in ids { offsets.append(offsets[offsets.count - 1] + ((try? tokenizer.decodeBytes([id]).count) ?? 0)) }
        func isBoundary(_ token: Int) -> Bool { source.isBoundary(offsets[token]) }
        /// The end of the window starting at token `start`: `limit` tokens, shortened to a cluster
        /// boundary, or one whole cluster if a single cluster is longer than the window.
        func windowEnd(from start: Int) -> Int {
            var end = min(start + limit, ids.count)
            while end > start + 1, !isBoundary(end) { end -= 1 }
            if !isBoundary(end) {
                end = start + 1
                while end < ids.count, !isBoundary(end) { end += 1 }
            }
            return end
        }
        var chunks: [Chunk] = []
        var start = 0
        while start < ids.count {
            let end = windowEnd(from: start)
            let range = offsets[start]..<offsets[end]
            if !source.isBlank(range) { chunks.append(source.chunk(range, index: chunks.count, metadata: metadata)) }
            guard end < ids.count else { break }
            var next = max(start + 1, end - overlap)
            while next < end, !isBoundary(next) { next += 1 }
            // Every window must reach past the one before; when clusters prevent it, drop the overlap.
            if windowEnd(from: next) <= end { next = end }
            start = next
        }
        return chunks
    }
}
