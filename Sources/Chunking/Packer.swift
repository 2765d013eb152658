/// Turns a text into pieces that each fit the size, then packs neighbouring pieces into chunks.
struct Packer {
    let source: SourceText

    /// A span of the text and, when already known, its size in the unit.
    struct Piece {
        var range: Range<Int>
        var size: Int?
    }

    private var limit: Int { source.size.limit }

    /// Splits `range` into pieces that fit, tiling it: at the coarsest level that yields cuts,
    /// recursing into any piece still too big. A piece of one character is never split further.
    func pieces(of range: Range<Int>, from level: SplitLevel = .paragraphs) -> [Piece] {
        var output: [Piece] = []
        split(range, level: level, into: &output)
        return output
    }

    /// The size of `range` if it fits, or nil. Every character and every token is at least one
    /// byte, so a short range fits unmeasured; a range of more than eight bytes per unit of the
    /// limit is treated as not fitting unmeasured — splitting it costs nothing in the result,
    /// since packing joins the pieces again.
    private func sizeIfFits(_ range: Range<Int>) -> (fits: Bool, size: Int?) {
        if source.isAdditive { let size = source.measure(range); return (size <= limit, size) }
        if range.count <= limit { return (true, nil) }
        if range.count > limit * 8 { return (false, nil) }
        let size = source.measure(range)
        return (size <= limit, size)
    }

    private func split(_ range: Range<Int>, level: SplitLevel?, into output: inout [Piece]) {
        guard !range.isEmpty else { return }
        let check = sizeIfFits(range)
        guard let level, !check.fits else {
            output.append(Piece(range: range, size: check.size))
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
    func pack(_ pieces: [Piece]) -> [Range<Int>] {
        guard !pieces.isEmpty else { return [] }
        let overlap = source.size.overlap
        let sizes = pieces.map { $0.size ?? source.measure($0.range) }
        func span(_ from: Int, _ to: Int) -> Range<Int> { pieces[from].range.lowerBound..<pieces[to - 1].range.upperBound }
        func exactlyFits(_ from: Int, _ to: Int, _ bound: Int) -> Bool {
            source.isAdditive || source.measure(span(from, to)) <= bound
        }
        var chunks: [Range<Int>] = []
        var start = 0
        var previousEnd = 0
        while start < pieces.count {
            var end = start + 1
            var total = sizes[start]
            while end < pieces.count, total + sizes[end] <= limit {
                total += sizes[end]
                end += 1
            }
            // Token counts are not additive across a join; check the real count and give back pieces.
            while end > start + 1, !exactlyFits(start, end, limit) { end -= 1 }
            if end <= previousEnd, start < previousEnd {
                // The overlap left no room for anything new: start after the previous chunk instead.
                start = previousEnd
                continue
            }
            let range = span(start, end)
            if !source.isBlank(range) { chunks.append(range) }
            guard end < pieces.count else { break }
            previousEnd = end
            var next = end
            if overlap > 0 {
                var shared = 0
                while next - 1 > start, shared + sizes[next - 1] <= overlap, shared + sizes[next - 1] + sizes[end] <= limit {
                    shared += sizes[next - 1]
                    next -= 1
                }
                while next < end, !exactlyFits(next, end, overlap) { next += 1 }
            }
            start = next
        }
        return chunks
    }
}
