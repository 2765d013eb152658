/// Turns a text into pieces that each fit the size, then packs neighbouring pieces into chunks.
struct Packer {
    let source: SourceText

    private var limit: Int { source.size.limit }

    /// Splits `range` into pieces that fit, tiling it: at the coarsest level that yields cuts,
    /// recursing into any piece still too big. A piece of one character is never split further.
    func pieces(of range: Range<Int>, from level: SplitLevel = .paragraphs) -> [Range<Int>] {
        var output: [Range<Int>] = []
        split(range, level: level, into: &output)
        return output
    }

    private func fits(_ range: Range<Int>) -> Bool {
        // Every character and every token is at least one byte.
        range.count <= limit || source.measure(range) <= limit
    }

    private func split(_ range: Range<Int>, level: SplitLevel?, into output: inout [Range<Int>]) {
        guard !range.isEmpty else { return }
        guard let level, !fits(range) else {
            output.append(range)
            return
        }
        let cuts = level.cuts(in: range, of: source)
        guard !cuts.isEmpty else {
            split(range, level: level.finer, into: &output)
            return
        }
        var start = range.lowerBound
        for cut in cuts + [range.upperBound] {
            split(start..<cut, level: level.finer, into: &output)
            start = cut
        }
    }

    /// Packs consecutive pieces into chunk ranges of at most `limit` units, each starting with up
    /// to `overlap` units of whole pieces from the end of the chunk before. Blank chunks are dropped.
    func pack(_ pieces: [Range<Int>]) -> [Range<Int>] {
        guard !pieces.isEmpty else { return [] }
        let overlap = source.size.overlap
        let sizes = pieces.map { source.measure($0) }
        func span(_ from: Int, _ to: Int) -> Range<Int> { pieces[from].lowerBound..<pieces[to - 1].upperBound }
        func exactlyFits(_ from: Int, _ to: Int, _ bound: Int) -> Bool {
            source.isAdditive || source.measure(span(from, to)) <= bound
        }
        var chunks: [Range<Int>] = []
        var start = 0
        while start < pieces.count {
            var end = start + 1
            var total = sizes[start]
            while end < pieces.count, total + sizes[end] <= limit {
                total += sizes[end]
                end += 1
            }
            // Token counts are not additive across a join; check the real count and give back pieces.
            while end > start + 1, !exactlyFits(start, end, limit) { end -= 1 }
            let range = span(start, end)
            if !source.isBlank(range) { chunks.append(range) }
            guard end < pieces.count else { break }
            var next = end
            if overlap > 0 {
                var shared = 0
                while next - 1 > start, shared + sizes[next - 1] <= overlap {
                    shared += sizes[next - 1]
                    next -= 1
                }
                while next < end, !exactlyFits(next, end, overlap) {
                    shared -= sizes[next]
                    next += 1
                }
                // The next chunk must reach past this one: drop overlap until the next piece fits.
                while next < end, shared + sizes[end] > limit || !exactlyFits(next, end + 1, limit) {
                    shared -= sizes[next]
                    next += 1
                }
            }
            start = next
        }
        return chunks
    }
}
