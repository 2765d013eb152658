/// A graph slot and its distance to the current query; the unit every heap holds.
struct Neighbor {
    var distance: Float
    var slot: UInt32
}

/// Which end of a ``NeighborHeap`` is on top.
protocol HeapOrder {
    /// Whether `a` belongs above `b`.
    static func above(_ a: Float, _ b: Float) -> Bool
}

/// Closest on top: the candidates still to expand.
enum ClosestFirst: HeapOrder {
    @inline(__always) static func above(_ a: Float, _ b: Float) -> Bool { a < b }
}

/// Farthest on top: the best results so far, so the worst is dropped first.
enum FarthestFirst: HeapOrder {
    @inline(__always) static func above(_ a: Float, _ b: Float) -> Bool { a > b }
}

/// A binary heap over caller-owned memory, reused across searches without allocation.
///
/// It is a value with a pointer inside: copy it into a local before a hot loop so that
/// pushes and pops do not go through a class's dynamic exclusivity checks.
struct NeighborHeap<Order: HeapOrder> {
    private(set) var storage: UnsafeMutablePointer<Neighbor>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    func deallocate() { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    var top: Neighbor { storage[0] }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    mutating func push(_ neighbor: Neighbor) {
        if count == capacity { grow() }
        var index = count
        count += 1
        while index > 0 {
            let parent = (index - 1) >> 1
            guard Order.above(neighbor.distance, storage[parent].distance) else { break }
            storage[index] = storage[parent]
            index = parent
        }
        storage[index] = neighbor
    }

    @inline(__always)
    @discardableResult
    mutating func pop() -> Neighbor {
        let result = storage[0]
        count -= 1
        guard count > 0 else { return result }
        let last = storage[count]
        var index = 0
        while true {
            var child = 2 * index + 1
            guard child < count else { break }
            if child + 1 < count, Order.above(storage[child + 1].distance, storage[child].distance) { child += 1 }
            guard Order.above(storage[child].distance, last.distance) else { break }
            storage[index] = storage[child]
            index = child
        }
        storage[index] = last
        return result
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Neighbor>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }

    /// The contents in no particular order.
    var unordered: UnsafeBufferPointer<Neighbor> { UnsafeBufferPointer(start: storage, count: count) }
}

/// Per-search working memory, pooled so a search allocates nothing.
///
/// Unchecked `Sendable`: a scratch is used by one search at a time, handed over through the graph's pool.
final class SearchScratch: @unchecked Sendable {
    /// Generation stamps: slot `i` was visited in this search when `visited[i] == generation`.
    private(set) var visited: UnsafeMutablePointer<UInt16>
    private(set) var visitedCapacity: Int
    private var generation: UInt16 = 0
    private var queryStorage = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    private var queryCapacity = 16
    var candidates = NeighborHeap<ClosestFirst>(capacity: 256)
    var results = NeighborHeap<FarthestFirst>(capacity: 256)

    init(slots: Int) {
        visitedCapacity = max(slots, 1)
        visited = .allocate(capacity: visitedCapacity)
        visited.initialize(repeating: 0, count: visitedCapacity)
    }

    deinit {
        queryStorage.deallocate()
        visited.deallocate()
        candidates.deallocate()
        results.deallocate()
    }

    /// A copy of `query` on a cache-line boundary, so the kernels' wide loads never straddle two lines.
    func alignedQuery(_ query: UnsafeBufferPointer<Float>) -> UnsafePointer<Float> {
        if query.count > queryCapacity {
            queryStorage.deallocate()
            queryCapacity = (query.count + 15) / 16 * 16
            queryStorage = .allocate(byteCount: queryCapacity * 4, alignment: 64)
        }
        let aligned = queryStorage.bindMemory(to: Float.self, capacity: queryCapacity)
        aligned.update(from: query.baseAddress!, count: query.count)
        return UnsafePointer(aligned)
    }

    /// Starts a new search over `slots` slots and returns the generation that marks "visited".
    func beginSearch(slots: Int) -> UInt16 {
        if slots > visitedCapacity {
            visited.deallocate()
            visitedCapacity = max(slots, visitedCapacity * 2)
            visited = .allocate(capacity: visitedCapacity)
            visited.initialize(repeating: 0, count: visitedCapacity)
            generation = 0
        }
        generation &+= 1
        if generation == 0 {
            // Stamps wrapped around: clear once every 65,535 searches.
            visited.update(repeating: 0, count: visitedCapacity)
            generation = 1
        }
        candidates.removeAll()
        results.removeAll()
        return generation
    }
}
