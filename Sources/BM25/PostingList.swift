/// The documents containing one term in one field, and how often it occurs in each:
/// two parallel arrays in memory the list owns, so a search can walk them through plain
/// pointers while the index is locked for reading.
final class PostingList: @unchecked Sendable {
    private(set) var documents: UnsafeMutablePointer<UInt32>
    private(set) var frequencies: UnsafeMutablePointer<UInt32>
    private(set) var count = 0
    private var capacity: Int

    /// Live documents containing the term (removed ones may still sit in the arrays).
    var documentFrequency: UInt32 = 0
    /// The largest frequency ever added: with ``shortestLength`` it bounds any score from this list.
    var maximumFrequency: UInt32 = 0
    /// The shortest field length of any document ever added.
    var shortestLength: UInt32 = .max

    init(capacity: Int = 4) {
        self.capacity = max(capacity, 1)
        documents = .allocate(capacity: self.capacity)
        frequencies = .allocate(capacity: self.capacity)
    }

    deinit {
        documents.deallocate()
        frequencies.deallocate()
    }

    func append(document: UInt32, frequency: UInt32, length: UInt32) {
        if count == capacity { grow(to: capacity * 2) }
        documents[count] = document
        frequencies[count] = frequency
        count += 1
        documentFrequency += 1
        maximumFrequency = max(maximumFrequency, frequency)
        shortestLength = min(shortestLength, length)
    }

    /// Removes the last posting (undoing the last ``append(document:frequency:length:)``; the
    /// maximum frequency and shortest length stay, as they only need to be bounds).
    func removeLast() {
        count -= 1
        documentFrequency -= 1
    }

    private func grow(to newCapacity: Int) {
        let newDocuments = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        let newFrequencies = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
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

    var memoryFootprint: Int { capacity * 8 + 64 }
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
