import Synchronization

/// Spin locks striped over graph slots, guarding link lists while several threads build the graph.
///
/// A slot maps to one of a fixed number of stripes, so the locks never move and never grow.
/// The insert algorithm holds at most one stripe at a time, so two slots sharing a stripe
/// cannot deadlock.
final class LockStripes: @unchecked Sendable {
    private static let count = 1 << 12
    private let locks: UnsafeMutablePointer<Atomic<UInt32>>

    init() {
        locks = .allocate(capacity: Self.count)
        for index in 0..<Self.count { (locks + index).initialize(to: Atomic(0)) }
    }

    deinit {
        locks.deinitialize(count: Self.count)
        locks.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ slot: UInt32, _ body: () -> T) -> T {
        let lock = locks + Int(slot & UInt32(Self.count - 1))
        while !lock.pointee.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged {
            while lock.pointee.load(ordering: .relaxed) != 0 {}
        }
        defer { lock.pointee.store(0, ordering: .releasing) }
        return body()
    }
}
