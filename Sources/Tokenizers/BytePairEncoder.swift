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

    /// Pieces longer than this merge with a heap: the linear scan below is quadratic in the
    /// piece's length (tiktoken's too), which makes one long run of letters take seconds.
    static let heapThreshold = 96

    /// Leaves `starts` holding the final part boundaries (with the end as the last entry).
    private mutating func merge(_ base: UnsafePointer<UInt8>, _ length: Int, ranks: RankTable) {
        if length > Self.heapThreshold {
            starts = HeapMerge.boundaries(base, length, ranks: ranks)
            return
        }
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

/// The same merges as ``BytePairEncoder``'s scan, in O(n log n): a min-heap of candidate pairs
/// keyed by (rank, position), over a linked list of parts. An entry is stale once either part has
/// changed since it was pushed; stale entries are skipped when popped. Popping the smallest
/// (rank, position) picks the lowest rank and, on a tie, the leftmost pair — the scan's rule.
enum HeapMerge {
    private struct Candidate: Comparable {
        var rank: Int
        var position: Int
        var left: Int
        var right: Int
        var leftVersion: Int
        var rightVersion: Int

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.rank != b.rank ? a.rank < b.rank : a.position < b.position
        }
    }

    static func boundaries(_ base: UnsafePointer<UInt8>, _ length: Int, ranks: RankTable) -> [Int] {
        // Part i starts at byte i; `next`/`previous` link live parts; `end` is a part's end.
        var next = Array(1...length)
        var previous = Array(-1..<(length - 1))
        var end = Array(1...length)
        var alive = [Bool](repeating: true, count: length)
        var version = [Int](repeating: 0, count: length)
        var heap: [Candidate] = []
        heap.reserveCapacity(length)

        func push(_ left: Int) {
            let right = next[left]
            guard right < length else { return }
            let rank = ranks.rank(of: base + left, count: end[right] - left)
            guard rank >= 0 else { return }
            heap.append(Candidate(rank: rank, position: left, left: left, right: right,
                                  leftVersion: version[left], rightVersion: version[right]))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child] < heap[parent] else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
        func pop() -> Candidate {
            let top = heap[0]
            heap[0] = heap[heap.count - 1]
            heap.removeLast()
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var smallest = left
                if left + 1 < heap.count, heap[left + 1] < heap[left] { smallest = left + 1 }
                guard heap[smallest] < heap[parent] else { break }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
            return top
        }

        for part in 0..<(length - 1) { push(part) }
        while !heap.isEmpty {
            let candidate = pop()
            let left = candidate.left, right = candidate.right
            guard alive[left], alive[right], next[left] == right, version[left] == candidate.leftVersion,
                version[right] == candidate.rightVersion
            else { continue }
            // Merge `right` into `left`.
            alive[right] = false
            end[left] = end[right]
            next[left] = next[right]
            if next[right] < length { previous[next[right]] = left }
            version[left] += 1
            // Entries with the old `left` are now stale (its version changed); push its new pairs.
            push(left)
            if previous[left] >= 0 { push(previous[left]) }
        }
        var boundaries: [Int] = []
        var part = 0
        while part < length {
            boundaries.append(part)
            part = next[part]
        }
        boundaries.append(length)
        return boundaries
    }
}
