/// The documents containing one term in one field, and how often it occurs in each: two
/// parallel arrays in memory the list owns, so a search can walk them through plain pointers
/// while the index is locked for reading.
///
/// Frequencies take one byte: almost every term occurs fewer than 255 times in a document. The
/// byte 255 marks one that does; its exact count is kept on the side (positions in order, so a
/// lookup is a binary search), so scores stay exact while the list costs 5 bytes a posting, not 8.
final class PostingList: @unchecked Sendable {
    /// The byte that sends a frequency lookup to ``largeFrequency(at:)``.
    static let largeFrequencyMark: UInt8 = 255

    private(set) var documents: UnsafeMutablePointer<UInt32>
    private(set) var frequencies: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    private var largePositions: [Int] = []
    private var largeValues: [UInt32] = []

    /// Live documents containing the term (removed ones may still sit in the arrays).
    var documentFrequency: UInt32 = 0
    /// The largest frequency ever added: with ``shortestLength`` it bounds any score from this list.
    var maximumFrequency: UInt32 = 0
    /// The shortest field length of any document ever added.
    var shortestLength: UInt32 = .max

    init(capacity: Int = 2) {
        self.capacity = max(capacity, 1)
        documents = .allocate(capacity: self.capacity)
        frequencies = .allocate(capacity: self.capacity)
    }

    deinit {
        documents.deallocate()
        frequencies.deallocate()
    }

    func append(document: UInt32, frequency: UInt32, length: UInt32) {
        if count == capacity { grow(to: capacity + max(capacity, 2)) }
        documents[count] = document
        if frequency >= UInt32(Self.largeFrequencyMark) {
            frequencies[count] = Self.largeFrequencyMark
            largePositions.append(count)
            largeValues.append(frequency)
        } else {
            frequencies[count] = UInt8(frequency)
        }
        count += 1
        documentFrequency += 1
        maximumFrequency = max(maximumFrequency, frequency)
        shortestLength = min(shortestLength, length)
    }

    /// The frequency at `position`.
    @inline(__always)
    func frequency(at position: Int) -> UInt32 {
        let small = frequencies[position]
        return small == Self.largeFrequencyMark ? largeFrequency(at: position) : UInt32(small)
    }

    /// The frequency at a position whose byte is the mark.
    func largeFrequency(at position: Int) -> UInt32 {
        var low = 0
        var high = largePositions.count
        while low < high {
            let middle = (low + high) / 2
            if largePositions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return largeValues[low]
    }

    /// Removes the last posting (undoing the last ``append(document:frequency:length:)``; the
    /// maximum frequency and shortest length stay, as they only need to be bounds).
    func removeLast() {
        count -= 1
        documentFrequency -= 1
        if largePositions.last == count {
            largePositions.removeLast()
            largeValues.removeLast()
        }
    }

    /// Makes room for `total` postings in all, so that many appends allocate nothing.
    func reserveCapacity(_ total: Int) {
        if total > capacity { grow(to: total) }
    }

    private func grow(to newCapacity: Int) {
        let newDocuments = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        let newFrequencies = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newDocuments.moveInitialize(from: documents, count: count)
        newFrequencies.moveInitialize(from: frequencies, count: count)
        documents.deallocate()
        frequencies.deallocate()
        documents = newDocuments
        frequencies = newFrequencies
        capacity = newCapacity
    }

    /// Trims spare capacity (after a bulk build or a compaction).
    func shrinkToFit() {
        if capacity > count { grow(to: max(count, 1)) }
    }

    var memoryFootprint: Int { capacity * 5 + largePositions.capacity * 12 + 96 }
}

/// A growable array of trivial values at a stable address (a search reads it through a pointer).
final class StableBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    /// Forgets the elements from `newCount` on.
    func truncate(to newCount: Int) { count = min(count, newCount) }

    func append(_ element: Element) {
        if count == capacity { reserve(capacity * 2) }
        pointer[count] = element
        count += 1
    }

    func reserve(_ newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: pointer, count: count)
        pointer.deallocate()
        pointer = bigger
        capacity = newCapacity
    }

    func removeAll() { count = 0 }

    var memoryFootprint: Int { capacity * MemoryLayout<Element>.stride }
}
