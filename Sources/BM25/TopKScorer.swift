/// One query term in one field, walking its posting list.
struct TermCursor {
    let documents: UnsafeMutablePointer<UInt32>
    let frequencies: UnsafeMutablePointer<UInt8>
    /// The list itself, for the rare frequency too large for a byte.
    unowned(unsafe) let list: PostingList
    let count: Int
    let lengths: UnsafeMutablePointer<UInt32>
    /// boost × idf × how many times the query repeats the term.
    let weight: Float
    /// k1·(1 − b) and k1·b/avgdl: the length normalisation is `constantNorm + lengthNorm·|d|`.
    let constantNorm: Float
    let lengthNorm: Float
    /// No document in this list can score more than this.
    let upperBound: Float
    var position = 0

    @inline(__always) var document: UInt32 { position < count ? documents[position] : .max }

    @inline(__always) func score() -> Float {
        let small = frequencies[position]
        let frequency = small == PostingList.largeFrequencyMark ? Float(list.largeFrequency(at: position)) : Float(small)
        let norm = constantNorm + lengthNorm * Float(lengths[Int(documents[position])])
        return weight * frequency / (frequency + norm)
    }

    /// Moves to the first posting at or after `target`, galloping then bisecting.
    @inline(__always) mutating func advance(to target: UInt32) {
        guard position < count, documents[position] < target else { return }
        var step = 1
        var low = position
        var high = position + 1
        while high < count, documents[high] < target {
            low = high
            step <<= 1
            high = min(position + step, count)
        }
        var lo = low + 1
        var hi = min(high, count)
        while lo < hi {
            let mid = (lo + hi) >> 1
            if documents[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        position = lo
    }
}

/// The best `k` documents, kept in a min-heap ordered by (score, then higher document number
/// first), so ties go to the earlier document, as in Lucene.
struct TopK {
    let k: Int
    private(set) var heap: [(score: Float, document: UInt32)] = []

    init(k: Int) {
        self.k = k
        heap.reserveCapacity(k + 1)
    }

    /// The score a document must beat to enter (0 until the heap is full).
    var threshold: Float { heap.count < k ? 0 : heap[0].score }

    private static func below(_ a: (score: Float, document: UInt32), _ b: (score: Float, document: UInt32)) -> Bool {
        a.score < b.score || (a.score == b.score && a.document > b.document)
    }

    mutating func offer(_ score: Float, _ document: UInt32) {
        let entry = (score: score, document: document)
        if heap.count < k {
            heap.append(entry)
            var index = heap.count - 1
            while index > 0 {
                let parent = (index - 1) / 2
                guard Self.below(heap[index], heap[parent]) else { break }
                heap.swapAt(index, parent)
                index = parent
            }
        } else if Self.below(heap[0], entry) {
            heap[0] = entry
            var index = 0
            while true {
                var smallest = index
                let left = 2 * index + 1
                let right = left + 1
                if left < heap.count, Self.below(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count, Self.below(heap[right], heap[smallest]) { smallest = right }
                guard smallest != index else { break }
                heap.swapAt(index, smallest)
                index = smallest
            }
        }
    }

    /// Best first; ties by document number.
    func sorted() -> [(score: Float, document: UInt32)] {
        heap.sorted { $0.score > $1.score || ($0.score == $1.score && $0.document < $1.document) }
    }
}

/// Document-at-a-time top-k with MaxScore pruning (Turtle & Flood): lists whose upper bounds
/// together cannot lift a document above the current k-th score are only probed, never walked.
enum MaxScore {
    static func topK(cursors: inout [TermCursor], k: Int, excludes: (UInt32) -> Bool) -> [(score: Float, document: UInt32)] {
        var top = TopK(k: k)
        guard !cursors.isEmpty else { return [] }
        cursors.sort { $0.upperBound < $1.upperBound }
        // prefix[i]: the most the lists 0...i can add together.
        var prefix = [Float](repeating: 0, count: cursors.count)
        var sum: Float = 0
        for index in cursors.indices {
            sum += cursors[index].upperBound
            prefix[index] = sum
        }
        var firstEssential = 0
        func updateEssential(threshold: Float) {
            while firstEssential < cursors.count, prefix[firstEssential] <= threshold { firstEssential += 1 }
        }
        updateEssential(threshold: top.threshold)

        while firstEssential < cursors.count {
            var document = UInt32.max
            for index in firstEssential..<cursors.count { document = min(document, cursors[index].document) }
            if document == .max { break }
            if excludes(document) {
                for index in firstEssential..<cursors.count where cursors[index].document == document { cursors[index].position += 1 }
                continue
            }
            var score: Float = 0
            for index in firstEssential..<cursors.count where cursors[index].document == document {
                score += cursors[index].score()
                cursors[index].position += 1
            }
            let threshold = top.threshold
            var complete = true
            var index = firstEssential - 1
            while index >= 0 {
                if score + prefix[index] <= threshold {
                    complete = false
                    break
                }
                cursors[index].advance(to: document)
                if cursors[index].document == document { score += cursors[index].score() }
                index -= 1
            }
            if complete, top.heap.count < k || score > threshold {
                top.offer(score, document)
                updateEssential(threshold: top.threshold)
            }
        }
        return top.sorted()
    }
}
