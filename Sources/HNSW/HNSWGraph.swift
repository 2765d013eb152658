import CVectorKernels
import IndexFiles
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The HNSW graph over dense slots, in raw memory laid out for the cache.
///
/// - Every slot's level-0 links (`2m`, ending at the first ``noLink``, padded to a cache line)
///   and its vector (padded to 16 floats) sit side by side in one contiguous, 64-byte-aligned
///   buffer, as in hnswlib: the lines a search needs for a node are adjacent, so fetching the
///   vector brings its links along (with `m = 16`, two cache lines of links then the vector).
/// - Links of the upper levels (`m` per level) are kept apart: only about one slot in `m`
///   has any, and searches touch them only on the way down.
///
/// The graph knows nothing of keys. ``HNSWIndex`` maps keys to slots and serialises access:
/// searches run concurrently under its read lock, changes under its write lock. Inside a
/// parallel batch insert, link lists are guarded by ``LockStripes``.
final class HNSWGraph: @unchecked Sendable {
    static let noLink = UInt32.max
    static let maximumLevel = 31

    let dimension: Int
    /// Floats between the starts of consecutive vectors.
    let vectorStride: Int
    let m: Int
    let m0: Int
    let efConstruction: Int
    let metric: DistanceMetric
    let seed: UInt64
    private let levelMultiplier: Double

    private(set) var capacity = 0
    private(set) var slotCount = 0
    /// 4-byte units of level-0 links at the start of each node (`2m` rounded up to a cache line).
    let linkUnits: Int
    /// 4-byte units per node: links, then the vector.
    let nodeUnits: Int
    /// `capacity` nodes of `nodeUnits` units: links bound to `UInt32`, vectors to `Float`.
    private(set) var nodes: UnsafeMutableRawPointer
    private(set) var levels: UnsafeMutablePointer<UInt8>
    private(set) var deleted: UnsafeMutablePointer<Bool>
    /// Index into ``upperLinks`` of each slot's level-1 block, or -1 for a level-0 slot.
    private(set) var upperOffsets: UnsafeMutablePointer<Int>
    private(set) var upperLinks: UnsafeMutablePointer<UInt32>
    private(set) var upperCapacity = 0
    private(set) var upperCount = 0

    /// Entry point and top level, changed under ``topLock`` during parallel inserts.
    private(set) var entryPoint = noLink
    private(set) var maxLevel = -1
    let topLock = Mutex(())
    let stripes = LockStripes()
    private let scratchPool = Mutex<[SearchScratch]>([])

    init(dimension: Int, metric: DistanceMetric, m: Int, efConstruction: Int, seed: UInt64) {
        self.dimension = dimension
        self.vectorStride = (dimension + 15) / 16 * 16
        self.m = m
        self.m0 = 2 * m
        self.efConstruction = efConstruction
        self.metric = metric
        self.seed = seed
        self.levelMultiplier = 1 / log(Double(m))
        linkUnits = (2 * m + 15) / 16 * 16
        nodeUnits = linkUnits + vectorStride
        nodes = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        levels = .allocate(capacity: 0)
        deleted = .allocate(capacity: 0)
        upperOffsets = .allocate(capacity: 0)
        upperLinks = .allocate(capacity: 0)
    }

    deinit {
        nodes.deallocate()
        levels.deallocate()
        deleted.deallocate()
        upperOffsets.deallocate()
        upperLinks.deallocate()
    }

    // MARK: - Storage

    /// Makes room for at least `slots` slots, keeping the contents.
    func reserve(slots: Int) {
        reserve(slots: slots, growth: true)
    }

    /// Makes room for exactly `slots` slots when `growth` is false, or grows geometrically.
    func reserve(slots: Int, growth: Bool) {
        guard slots > capacity else { return }
        let newCapacity = growth ? max(slots, capacity + capacity / 2, 64) : slots
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * nodeUnits * 4, alignment: 64)
        for slot in 0..<newCapacity {
            let node = grown + slot * nodeUnits * 4
            let links = node.bindMemory(to: UInt32.self, capacity: linkUnits)
            let vector = (node + linkUnits * 4).bindMemory(to: Float.self, capacity: vectorStride)
            if slot >= capacity {
                links.initialize(repeating: Self.noLink, count: linkUnits)
                vector.initialize(repeating: 0, count: vectorStride)
            }
        }
        grown.copyMemory(from: nodes, byteCount: capacity * nodeUnits * 4)
        nodes.deallocate()
        nodes = grown
        levels = Self.grow(levels, from: capacity, to: newCapacity, fill: 0)
        deleted = Self.grow(deleted, from: capacity, to: newCapacity, fill: false)
        upperOffsets = Self.grow(upperOffsets, from: capacity, to: newCapacity, fill: -1)
        capacity = newCapacity
    }

    /// Makes room for `links` more upper-level link entries.
    func reserve(upperLinks links: Int) {
        guard upperCount + links > upperCapacity else { return }
        let newCapacity = max(upperCount + links, upperCapacity * 2, 1_024)
        upperLinks = Self.grow(upperLinks, from: upperCapacity, to: newCapacity, fill: Self.noLink)
        upperCapacity = newCapacity
    }

    private static func grow<T>(
        _ old: UnsafeMutablePointer<T>, from oldCount: Int, to newCount: Int, fill: T
    ) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: newCount)
        new.moveInitialize(from: old, count: oldCount)
        (new + oldCount).initialize(repeating: fill, count: newCount - oldCount)
        old.deallocate()
        return new
    }

    /// The level a fresh slot gets: -ln(U)·mL, from a generator seeded by the graph's seed and the slot.
    func randomLevel(forSlot slot: UInt32) -> Int {
        var z = seed &+ (UInt64(slot) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let uniform = (Double(z >> 11) + 0.5) / Double(1 << 53)
        return min(Int(-log(uniform) * levelMultiplier), Self.maximumLevel)
    }

    /// Claims the next fresh slot with the given level; storage must have been reserved.
    func appendSlot(level: Int) -> UInt32 {
        precondition(slotCount < capacity, "reserve(slots:) before appendSlot")
        let slot = UInt32(slotCount)
        slotCount += 1
        levels[Int(slot)] = UInt8(level)
        if level > 0 {
            precondition(upperCount + level * m <= upperCapacity, "reserve(upperLinks:) before appendSlot")
            upperOffsets[Int(slot)] = upperCount
            upperCount += level * m
        }
        return slot
    }

    func setVector(_ vector: UnsafeBufferPointer<Float>, at slot: UInt32) {
        self.vector(slot).update(from: vector.baseAddress!, count: dimension)
    }

    /// The vector of a slot.
    func vector(_ slot: UInt32) -> UnsafeMutablePointer<Float> {
        (nodes + (Int(slot) * nodeUnits + linkUnits) * 4).assumingMemoryBound(to: Float.self)
    }

    /// The level-0 links of a slot.
    func level0Links(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        (nodes + Int(slot) * nodeUnits * 4).assumingMemoryBound(to: UInt32.self)
    }

    func setDeleted(_ isDeleted: Bool, at slot: UInt32) {
        deleted[Int(slot)] = isDeleted
    }

    func setEntry(_ slot: UInt32, level: Int) {
        entryPoint = slot
        maxLevel = level
    }

    /// Bytes of memory the graph holds.
    var memoryFootprint: Int {
        capacity * (nodeUnits * 4 + 1 + 1 + MemoryLayout<Int>.stride) + upperCapacity * 4
    }

    // MARK: - Scratch

    func withScratch<T, E: Error>(_ body: (SearchScratch) throws(E) -> T) throws(E) -> T {
        let scratch = scratchPool.withLock { $0.popLast() } ?? SearchScratch(slots: slotCount)
        defer { scratchPool.withLock { $0.append(scratch) } }
        return try body(scratch)
    }

    /// A view of the current buffers for the duration of one operation.
    var view: GraphView {
        GraphView(
            nodes: nodes, nodeUnits: nodeUnits, linkUnits: linkUnits, levels: levels, deleted: deleted, upperOffsets: upperOffsets,
            upperLinks: upperLinks, dimension: dimension, vectorStride: vectorStride, m: m, m0: m0,
            kernel: metric.kernel, usesInnerProduct: metric.usesInnerProduct, slotCount: slotCount)
    }

    // MARK: - Restoring from a file

    /// Replaces the whole state with buffers read from a file (already validated by the caller).
    func restore(
        slotCount: Int, entryPoint: UInt32, maxLevel: Int, upperCount: Int,
        fill: (_ nodes: UnsafeMutableRawPointer,
               _ levels: UnsafeMutablePointer<UInt8>, _ deleted: UnsafeMutablePointer<Bool>,
               _ upperOffsets: UnsafeMutablePointer<Int>, _ upperLinks: UnsafeMutablePointer<UInt32>) throws(IndexFileError) -> Void
    ) throws(IndexFileError) {
        reserve(slots: slotCount)
        reserve(upperLinks: upperCount)
        self.slotCount = slotCount
        self.upperCount = upperCount
        self.entryPoint = entryPoint
        self.maxLevel = maxLevel
        try fill(nodes, levels, deleted, upperOffsets, upperLinks)
    }
}
