import IndexFiles
import CVectorKernels

/// An exact nearest-neighbour index: every search compares the query with every vector.
///
/// Use it for small collections (up to tens of thousands of vectors, where a scan with
/// SIMD kernels is fast enough and recall is exactly 1) and as ground truth for
/// ``HNSWIndex``. Same keys, metrics, validation and concurrency as ``HNSWIndex``.
public final class FlatIndex<Key: Hashable & Sendable>: @unchecked Sendable {
    /// The number of components of every vector.
    public let dimension: Int
    /// How vectors are compared.
    public let metric: DistanceMetric

    private let lock = ReadWriteLock()
    private let preparation: VectorPreparation
    /// Row-major vectors, one row per key, in `keyOfRow` order. Guarded by `lock`.
    private var rows: [Float] = []
    private var keyOfRow: [Key] = []
    private var rowOfKey: [Key: Int] = [:]

    /// Creates an empty index.
    ///
    /// - Throws: ``VectorIndexError/invalidArgument(_:)`` for a dimension ≤ 0.
    public init(dimension: Int, metric: DistanceMetric = .l2) throws(VectorIndexError) {
        guard dimension > 0 else { throw .invalidArgument("dimension must be positive, got \(dimension)") }
        self.dimension = dimension
        self.metric = metric
        preparation = VectorPreparation(dimension: dimension, metric: metric)
    }

    /// The number of keys in the index.
    public var count: Int { lock.withReadLock { keyOfRow.count } }

    /// Whether `key` is in the index.
    public func contains(_ key: Key) -> Bool { lock.withReadLock { rowOfKey[key] != nil } }

    /// Bytes of memory held by vectors and keys (an estimate for the key map).
    public var memoryFootprint: Int {
        lock.withReadLock {
            rows.capacity * 4 + keyOfRow.capacity * MemoryLayout<Key>.stride
                + rowOfKey.capacity * (MemoryLayout<Key>.stride + MemoryLayout<Int>.stride + 1)
        }
    }

    /// Adds a vector under a new key.
    ///
    /// - Throws: ``VectorIndexError/duplicateKey(_:)`` if the key is present, or a vector error.
    public func insert(_ vector: [Float], forKey key: Key) throws(VectorIndexError) {
        let prepared = try preparation.prepare(vector)
        try lock.withWriteLock { () throws(VectorIndexError) in
            guard rowOfKey[key] == nil else { throw .duplicateKey("\(key)") }
            rowOfKey[key] = keyOfRow.count
            keyOfRow.append(key)
            rows.append(contentsOf: prepared)
        }
    }

    /// Adds many vectors; every one is validated first, so an error leaves the index unchanged.
    public func insert<Items: Collection>(contentsOf items: Items) throws(VectorIndexError)
    where Items.Element == (key: Key, vector: [Float]) {
        var prepared: [(key: Key, vector: [Float])] = []
        prepared.reserveCapacity(items.count)
        var batchKeys = Set<Key>()
        for item in items {
            guard batchKeys.insert(item.key).inserted else { throw .duplicateKey("\(item.key)") }
            prepared.append((item.key, try preparation.prepare(item.vector)))
        }
        try lock.withWriteLock { () throws(VectorIndexError) in
            if let duplicate = prepared.first(where: { rowOfKey[$0.key] != nil }) { throw .duplicateKey("\(duplicate.key)") }
            rows.reserveCapacity(rows.count + prepared.count * dimension)
            for item in prepared {
                rowOfKey[item.key] = keyOfRow.count
                keyOfRow.append(item.key)
                rows.append(contentsOf: item.vector)
            }
        }
    }

    /// Replaces the vector of an existing key.
    ///
    /// - Throws: ``VectorIndexError/keyNotFound(_:)``, or a vector error.
    public func update(_ vector: [Float], forKey key: Key) throws(VectorIndexError) {
        let prepared = try preparation.prepare(vector)
        try lock.withWriteLock { () throws(VectorIndexError) in
            guard let row = rowOfKey[key] else { throw .keyNotFound("\(key)") }
            rows.replaceSubrange(row * dimension..<(row + 1) * dimension, with: prepared)
        }
    }

    /// Removes a key (the last row moves into its place). Returns whether it was present.
    @discardableResult
    public func remove(_ key: Key) -> Bool {
        lock.withWriteLock {
            guard let row = rowOfKey.removeValue(forKey: key) else { return false }
            let last = keyOfRow.count - 1
            if row != last {
                let moved = keyOfRow[last]
                keyOfRow[row] = moved
                rowOfKey[moved] = row
                for component in 0..<dimension { rows[row * dimension + component] = rows[last * dimension + component] }
            }
            keyOfRow.removeLast()
            rows.removeLast(dimension)
            return true
        }
    }

    /// The exact `k` nearest keys to `query`, closest first; ties keep insertion order.
    ///
    /// - Throws: ``VectorIndexError/invalidArgument(_:)`` for `k` ≤ 0, or a vector error for a bad query.
    public func search(_ query: [Float], k: Int, filter: ((Key) -> Bool)? = nil) throws(VectorIndexError)
        -> [SearchResult<Key>]
    {
        guard k > 0 else { throw .invalidArgument("k must be positive, got \(k)") }
        let prepared = try preparation.prepare(query)
        return lock.withReadLock {
            let count = keyOfRow.count
            guard count > 0 else { return [] }
            var distances = [Float](repeating: 0, count: count)
            prepared.withUnsafeBufferPointer { query in
                rows.withUnsafeBufferPointer { rows in
                    distances.withUnsafeMutableBufferPointer { out in
                        if metric.usesInnerProduct {
                            vk_inner_product_batch(query.baseAddress, rows.baseAddress, count, dimension, dimension, out.baseAddress)
                            for index in 0..<count { out[index] = 1 - out[index] }
                        } else {
                            vk_l2_squared_batch(query.baseAddress, rows.baseAddress, count, dimension, dimension, out.baseAddress)
                        }
                    }
                }
            }
            var best = NeighborHeap<FarthestFirst>(capacity: k + 1)
            defer { best.deallocate() }
            for row in 0..<count {
                let distance = distances[row]
                if best.count == k && distance >= best.top.distance { continue }
                if let filter, !filter(keyOfRow[row]) { continue }
                best.push(Neighbor(distance: distance, slot: UInt32(row)))
                if best.count > k { best.pop() }
            }
            var found = Array(best.unordered)
            found.sort { ($0.distance, $0.slot) < ($1.distance, $1.slot) }
            return found.map { SearchResult(key: keyOfRow[Int($0.slot)], distance: $0.distance) }
        }
    }
}
