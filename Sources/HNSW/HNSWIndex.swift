import IndexFiles
import Dispatch
import Synchronization

/// An approximate nearest-neighbour index: Malkov & Yashunin's hierarchical navigable
/// small-world graph, with the neighbour-selection heuristic.
///
/// Vectors are stored under keys you choose. Searches return the `k` keys whose vectors
/// are closest to a query, trading accuracy for speed with `ef` (the size of the search's
/// candidate list): larger is slower and more accurate.
///
/// ```swift
/// let index = try HNSWIndex<UInt64>(configuration: .init(dimension: 384, metric: .cosine))
/// try index.insert(embedding, forKey: 42)
/// let hits = try index.search(query, k: 10)              // [SearchResult<UInt64>]
/// let mine = try index.search(query, k: 10) { $0 % 2 == 0 }  // filtered during the search
/// ```
///
/// ## Concurrency
/// The index is `Sendable`. Any number of searches run at once; an insert, update, remove
/// or load waits for running searches and holds the index alone while it changes it. A
/// batch insert (``insert(contentsOf:threads:)``) builds with several threads.
/// A search's `filter` runs while the index is locked for reading: it must not change the index.
///
/// ## Removal
/// ``remove(_:)`` takes effect at once: the key is never returned again. Its node stays in
/// the graph as a waypoint (so removal never disconnects it) and its slot is reused, with
/// fresh links, by a later insert.
public final class HNSWIndex<Key: Hashable & Sendable>: @unchecked Sendable {
    /// How an index is built and searched.
    public struct Configuration: Sendable, Hashable, Codable {
        /// The number of components of every vector.
        public var dimension: Int
        /// How vectors are compared.
        public var metric: DistanceMetric
        /// Links per node on the upper levels (twice as many on level 0). 16 suits most data; 32–48 for high recall on hard data.
        public var m: Int
        /// The candidate-list size while inserting: larger builds a better graph, more slowly.
        public var efConstruction: Int
        /// The default candidate-list size of a search.
        public var efSearch: Int
        /// Seeds the level of each node, so a build is reproducible.
        public var seed: UInt64

        /// Creates a configuration.
        public init(
            dimension: Int, metric: DistanceMetric = .l2, m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64,
            seed: UInt64 = 0x5EED_1234
        ) {
            self.dimension = dimension
            self.metric = metric
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.seed = seed
        }

        func validate() throws(VectorIndexError) {
            guard dimension > 0 else { throw .invalidArgument("dimension must be positive, got \(dimension)") }
            guard (2...512).contains(m) else { throw .invalidArgument("m must be between 2 and 512, got \(m)") }
            guard efConstruction > 0 else { throw .invalidArgument("efConstruction must be positive, got \(efConstruction)") }
            guard efSearch > 0 else { throw .invalidArgument("efSearch must be positive, got \(efSearch)") }
        }
    }

    /// The configuration the index was built with.
    public let configuration: Configuration

    let graph: HNSWGraph
    let lock = ReadWriteLock()
    let preparation: VectorPreparation
    /// Guarded by `lock`.
    var slotOfKey: [Key: UInt32] = [:]
    /// The key stored in each slot, or `nil` for a removed slot. Guarded by `lock`.
    var keyOfSlot: [Key?] = []
    /// Removed slots waiting to be reused. Guarded by `lock`.
    var freeSlots: [UInt32] = []

    /// Creates an empty index.
    ///
    /// - Throws: ``VectorIndexError/invalidArgument(_:)`` for a dimension, `m` or `ef` out of range.
    public init(configuration: Configuration) throws(VectorIndexError) {
        try configuration.validate()
        self.configuration = configuration
        graph = HNSWGraph(
            dimension: configuration.dimension, metric: configuration.metric, m: configuration.m,
            efConstruction: configuration.efConstruction, seed: configuration.seed)
        preparation = VectorPreparation(dimension: configuration.dimension, metric: configuration.metric)
    }

    /// The number of keys in the index.
    public var count: Int { lock.withReadLock { slotOfKey.count } }

    /// Whether the index is empty.
    public var isEmpty: Bool { count == 0 }

    /// Whether `key` is in the index.
    public func contains(_ key: Key) -> Bool { lock.withReadLock { slotOfKey[key] != nil } }

    /// All keys, in no particular order.
    public var keys: [Key] { lock.withReadLock { Array(slotOfKey.keys) } }

    /// Bytes of memory held by the graph, vectors and key maps (an estimate for the maps).
    public var memoryFootprint: Int {
        lock.withReadLock {
            graph.memoryFootprint + keyOfSlot.capacity * MemoryLayout<Key?>.stride
                + slotOfKey.capacity * (MemoryLayout<Key>.stride + 4 + 1)
        }
    }

    /// The vector stored for `key` (normalised, for a cosine index), or `nil`.
    public func vector(forKey key: Key) -> [Float]? {
        lock.withReadLock {
            guard let slot = slotOfKey[key] else { return nil }
            let start = graph.vector(slot)
            return Array(UnsafeBufferPointer(start: start, count: graph.dimension))
        }
    }

    // MARK: - Changing the index

    /// Allocates room for `capacity` vectors in total, so a build of known size never reallocates
    /// (and memory is not over-allocated by geometric growth).
    public func reserveCapacity(_ capacity: Int) {
        lock.withWriteLock {
            graph.reserve(slots: capacity, growth: false)
            keyOfSlot.reserveCapacity(capacity)
            slotOfKey.reserveCapacity(capacity)
        }
    }

    /// Adds a vector under a new key.
    ///
    /// - Throws: ``VectorIndexError/duplicateKey(_:)`` if the key is present (use
    ///   ``update(_:forKey:)``); ``VectorIndexError/dimensionMismatch(expected:actual:)``,
    ///   ``VectorIndexError/nonFiniteComponent(index:)`` or ``VectorIndexError/zeroVector`` for a bad vector.
    public func insert(_ vector: [Float], forKey key: Key) throws(VectorIndexError) {
        let prepared = try preparation.prepare(vector)
        try lock.withWriteLock { () throws(VectorIndexError) in
            guard slotOfKey[key] == nil else { throw .duplicateKey("\(key)") }
            graph.withScratch { scratch in
                let slot = claimSlot(for: key)
                place(prepared, at: slot)
                linkSerially(slot, scratch: scratch)
            }
        }
    }

    /// Adds many vectors, building with `threads` threads (all cores by default).
    ///
    /// Every vector is validated before any is added, so a bad vector or a duplicate key
    /// leaves the index unchanged. Searches wait until the batch is done.
    ///
    /// - Throws: As ``insert(_:forKey:)``, naming the first bad item.
    public func insert<Items: Collection>(contentsOf items: Items, threads: Int? = nil) throws(VectorIndexError)
    where Items.Element == (key: Key, vector: [Float]) {
        var prepared: [(key: Key, vector: [Float])] = []
        prepared.reserveCapacity(items.count)
        var batchKeys = Set<Key>()
        for item in items {
            guard batchKeys.insert(item.key).inserted else { throw .duplicateKey("\(item.key)") }
            prepared.append((item.key, try preparation.prepare(item.vector)))
        }
        let threadCount = max(1, min(threads ?? ProcessInfoShim.activeProcessorCount, prepared.count / 256 + 1))
        try lock.withWriteLock { () throws(VectorIndexError) in
            if let duplicate = prepared.first(where: { slotOfKey[$0.key] != nil }) {
                throw .duplicateKey("\(duplicate.key)")
            }
            var slots: [UInt32] = []
            slots.reserveCapacity(prepared.count)
            for item in prepared {
                let slot = claimSlot(for: item.key)
                place(item.vector, at: slot)
                slots.append(slot)
            }
            // Seed the graph serially until it has a few nodes, then build the rest in parallel.
            let serialPrefix = threadCount == 1 ? slots.count : min(slots.count, 64)
            graph.withScratch { scratch in
                for slot in slots[..<serialPrefix] { linkSerially(slot, scratch: scratch) }
            }
            if serialPrefix < slots.count { linkInParallel(Array(slots[serialPrefix...]), threads: threadCount) }
        }
    }

    /// Replaces the vector of an existing key and relinks its node.
    ///
    /// - Throws: ``VectorIndexError/keyNotFound(_:)``, or as ``insert(_:forKey:)`` for a bad vector.
    public func update(_ vector: [Float], forKey key: Key) throws(VectorIndexError) {
        let prepared = try preparation.prepare(vector)
        try lock.withWriteLock { () throws(VectorIndexError) in
            guard let slot = slotOfKey[key] else { throw .keyNotFound("\(key)") }
            graph.withScratch { scratch in
                place(prepared, at: slot)
                linkSerially(slot, scratch: scratch)
            }
        }
    }

    /// Removes a key; it is never returned by a search again. Returns whether it was present.
    @discardableResult
    public func remove(_ key: Key) -> Bool {
        lock.withWriteLock {
            guard let slot = slotOfKey.removeValue(forKey: key) else { return false }
            keyOfSlot[Int(slot)] = nil
            graph.setDeleted(true, at: slot)
            freeSlots.append(slot)
            return true
        }
    }

    // MARK: - Slots (call under the write lock)

    /// A slot for a new key: a removed one if any, else a fresh one.
    private func claimSlot(for key: Key) -> UInt32 {
        let slot: UInt32
        if let reused = freeSlots.popLast() {
            slot = reused
            keyOfSlot[Int(slot)] = key
        } else {
            graph.reserve(slots: graph.slotCount + 1)
            let level = graph.randomLevel(forSlot: UInt32(graph.slotCount))
            graph.reserve(upperLinks: level * graph.m)
            slot = graph.appendSlot(level: level)
            keyOfSlot.append(key)
        }
        slotOfKey[key] = slot
        return slot
    }

    private func place(_ vector: [Float], at slot: UInt32) {
        vector.withUnsafeBufferPointer { graph.setVector($0, at: slot) }
        graph.setDeleted(false, at: slot)
    }

    private func linkSerially(_ slot: UInt32, scratch: SearchScratch) {
        let level = Int(graph.levels[Int(slot)])
        guard graph.entryPoint != HNSWGraph.noLink, !(graph.entryPoint == slot && graph.slotCount == 1) else {
            graph.setEntry(slot, level: level)
            return
        }
        graph.view.link(
            slot: slot, level: level, entryPoint: graph.entryPoint, maxLevel: graph.maxLevel,
            efConstruction: graph.efConstruction, scratch: scratch, stripes: nil)
        if level > graph.maxLevel { graph.setEntry(slot, level: level) }
    }

    private func linkInParallel(_ slots: [UInt32], threads: Int) {
        let view = graph.view
        let graph = self.graph
        let next = Atomic<Int>(0)
        do {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                graph.withScratch { scratch in
                    while true {
                        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard index < slots.count else { return }
                        let slot = slots[index]
                        let level = Int(view.levels[Int(slot)])
                        // Like hnswlib: a node that raises the top level holds the top lock for its whole insert.
                        let (entry, top) = graph.topLock.withLock { _ in (graph.entryPoint, graph.maxLevel) }
                        if level > top {
                            graph.topLock.withLock { _ in
                                view.link(
                                    slot: slot, level: level, entryPoint: graph.entryPoint, maxLevel: graph.maxLevel,
                                    efConstruction: graph.efConstruction, scratch: scratch, stripes: graph.stripes)
                                if level > graph.maxLevel { graph.setEntry(slot, level: level) }
                            }
                        } else {
                            view.link(
                                slot: slot, level: level, entryPoint: entry, maxLevel: top,
                                efConstruction: graph.efConstruction, scratch: scratch, stripes: graph.stripes)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Searching

    /// The `k` keys closest to `query`, closest first.
    ///
    /// - Parameters:
    ///   - k: How many results to return at most (fewer if the index, or the filter, allows fewer).
    ///   - ef: The candidate-list size; defaults to the configuration's `efSearch` and is raised to `k` if smaller.
    ///   - filter: Which keys may be returned. It is applied during the graph traversal, so
    ///     the search keeps going until it has found `k` allowed keys (or exhausted the graph).
    /// - Returns: Up to `k` results; empty for an empty index.
    /// - Throws: ``VectorIndexError/invalidArgument(_:)`` for `k` or `ef` ≤ 0, or as ``insert(_:forKey:)`` for a bad query.
    public func search(_ query: [Float], k: Int, ef: Int? = nil, filter: ((Key) -> Bool)? = nil) throws(VectorIndexError)
        -> [SearchResult<Key>]
    {
        guard k > 0 else { throw .invalidArgument("k must be positive, got \(k)") }
        if let ef, ef <= 0 { throw .invalidArgument("ef must be positive, got \(ef)") }
        let prepared = try preparation.prepare(query)
        let ef = max(ef ?? configuration.efSearch, k)
        return lock.withReadLock {
            guard graph.entryPoint != HNSWGraph.noLink, !slotOfKey.isEmpty else { return [] }
            let keyOfSlot = self.keyOfSlot
            var acceptance = GraphView.Acceptance()
            if let filter { acceptance.filter = { slot in filter(keyOfSlot[Int(slot)]!) } }
            return graph.withScratch { scratch in
                prepared.withUnsafeBufferPointer { unaligned in
                    let query = scratch.alignedQuery(unaligned)
                    let view = graph.view
                    let (entry, _) = view.greedyDescent(query: query, entryPoint: graph.entryPoint, maxLevel: graph.maxLevel)
                    view.searchLayer(
                        query: query, entry: entry, ef: ef, level: 0, acceptance: acceptance,
                        scratch: scratch, stripes: nil)
                    var found = Array(scratch.results.unordered)
                    found.sort { $0.distance < $1.distance }
                    return found.prefix(k).map { SearchResult(key: keyOfSlot[Int($0.slot)]!, distance: $0.distance) }
                }
            }
        }
    }
}

extension GraphView {
    /// Descends from the entry point through the upper levels to the best level-0 starting point.
    func greedyDescent(query: UnsafePointer<Float>, entryPoint: UInt32, maxLevel: Int) -> (UInt32, Float) {
        var current = entryPoint
        var currentDistance = distance(query, current)
        var level = maxLevel
        while level > 0 {
            (current, currentDistance) = greedyClosest(
                query: query, from: current, distance: currentDistance, level: level, stripes: nil)
            level -= 1
        }
        return (current, currentDistance)
    }
}
