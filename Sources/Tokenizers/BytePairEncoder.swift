/// Merges one pre-tokenised piece into tokens, as tiktoken does: start from single bytes and
/// repeatedly merge the adjacent pair whose concatenation has the lowest rank.
struct BytePairEncoder {
    /// Boundaries of the current parts and the rank of merging each part with the next.
    private var starts: [Int] = []
    private var pairRanks: [Int] = []

    private static let none = Int.max

    /// Appends the tokens of `bytes[piece]` to `output` (or only counts them when `output` is nil).
    mutating func encode(
        _ bytes: UnsafePointer<UInt8>, _ piece: Range<Int>, ranks: RankTable, into output: inout [Int]
    ) {
        let length = piece.count
        let base = bytes + piece.lowerBound
        let whole = ranks.rank(of: base, count: length)
        if whole >= 0 {
            output.append(whole)
            return
        }
        merge(base, length, ranks: ranks)
        for part in 0..<(starts.count - 1) {
            output.append(ranks.rank(of: base + starts[part], count: starts[part + 1] - starts[part]))
        }
    }

    /// The number of tokens of `bytes[piece]`.
    mutating func count(_ bytes: UnsafePointer<UInt8>, _ piece: Range<Int>, ranks: RankTable) -> Int {
        let base = bytes + piece.lowerBound
        if ranks.rank(of: base, count: piece.count) >= 0 { return 1 }
        merge(base, piece.count, ranks: ranks)
        return starts.count - 1
    }

    /// Leaves `starts` holding the final part boundaries (with the end as the last entry).
    private mutating func merge(_ base: UnsafePointer<UInt8>, _ length: Int, ranks: RankTable) {
        starts.removeAll(keepingCapacity: true)
        pairRanks.removeAll(keepingCapacity: true)
        for index in 0...length { starts.append(index) }
        func rank(_ part: Int) -> Int {
            guard part + 2 < starts.count else { return Self.none }
            let found = ranks.rank(of: base + starts[part], count: starts[part + 2] - starts[part])
            return found >= 0 ? found : Self.none
        }
        for part in 0..<length { pairRanks.append(rank(part)) }
        while true {
            var best = Self.none
            var bestPart = -1
            for part in 0..<(pairRanks.count - 1) where pairRanks[part] < best {
                best = pairRanks[part]
                bestPart = part
            }
            guard bestPart >= 0 else { return }
            starts.remove(at: bestPart + 1)
            pairRanks.remove(at: bestPart + 1)
            pairRanks[bestPart] = rank(bestPart)
            if bestPart > 0 { pairRanks[bestPart - 1] = rank(bestPart - 1) }
        }
    }
}
