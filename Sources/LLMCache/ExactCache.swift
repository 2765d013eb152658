import Foundation
import LLMCore
import Synchronization

/// A thread-safe in-memory cache with a size bound, per-entry time to live and an admission
/// policy that keeps popular entries (Window TinyLFU by default).
///
/// Keys are spread over shards, each behind its own mutex, so two threads rarely wait for each
/// other; each shard holds an equal part of the capacity and runs the policy on its part. The
/// bound is never exceeded, at any moment, by any interleaving of calls.
///
/// Expired entries are dropped when a lookup meets them, when they come up for eviction, or by
/// ``removeExpired()``; until then they count against the capacity but are never returned.
///
/// ```swift
/// let cache = ExactCache<String, String>(maximumCount: 10_000, defaultTimeToLive: .seconds(3600))
/// cache.setValue("Paris", forKey: "capital of France")
/// cache.value(forKey: "capital of France")   // "Paris"
/// ```
public final class ExactCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    // Unchecked only because of the pointer to the shards: it is written once, in `init`, and
    // every shard behind it is reached through its mutex.
    /// A shard and its lock, padded so that two shards' locks never share a cache line (two
    /// cores writing to one line would take turns owning it even for different shards).
    @usableFromInline
    struct PaddedShard: ~Copyable {
        private let paddingBefore: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)
        @usableFromInline let mutex: Mutex<CacheShard<Key, Value>>
        private let paddingAfter: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)

        init(maximumWeight: Int, policy: EvictionPolicy) {
            mutex = Mutex(CacheShard(maximumWeight: maximumWeight, policy: policy))
        }
    }

    // The shards live in one allocation that this cache owns, rather than an array of objects:
    // reaching a shard then costs no reference counting, whose atomic updates on a shared
    // object would make two cores fight over its cache line on every call.
    @usableFromInline let shards: UnsafeMutablePointer<PaddedShard>
    @usableFromInline let shardMask: Int
    /// The number of independently locked parts.
    public let shardCount: Int
    @usableFromInline let weigher: (@Sendable (Key, Value) -> Int)?
    @usableFromInline let defaultTimeToLive: Int64?
    @usableFromInline let clock: InjectedClock

    /// The most the entries may weigh together (their count, when there is no weigher).
    public let maximumWeight: Int
    /// The policy that chooses what to keep.
    public let policy: EvictionPolicy

    /// Creates a cache bounded by its number of entries.
    ///
    /// - Parameters:
    ///   - maximumCount: The most entries the cache holds; at least 1.
    ///   - policy: What to keep when full.
    ///   - defaultTimeToLive: How long an entry lives when ``setValue(_:forKey:timeToLive:)`` names no
    ///     time; `nil` keeps entries until they are evicted.
    ///   - shardCount: How many independently locked parts to use, rounded down to a power of two;
    ///     by default four per processor, but never so many that a shard holds fewer than 64 entries.
    ///   - clock: The clock that times entries out; tests pass a `ManualClock`.
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` for a capacity below 1, a shard count below
    ///   1 or a time to live that is not positive.
    public convenience init(
        maximumCount: Int, policy: EvictionPolicy = .windowTinyLFU, defaultTimeToLive: Duration? = nil,
        shardCount: Int? = nil, clock: some Clock<Duration> = ContinuousClock()
    ) throws(CacheError) {
        try self.init(
            maximumWeight: maximumCount, weigher: nil, policy: policy, defaultTimeToLive: defaultTimeToLive,
            shardCount: shardCount, clock: clock)
    }

    /// Creates a cache bounded by the total weight of its entries, such as their size in bytes.
    ///
    /// An entry heavier than one shard's part of `maximumWeight` is not stored (and counted in
    /// ``CacheStatistics/rejections``); pass a smaller `shardCount` if single entries are large.
    ///
    /// - Parameters:
    ///   - maximumWeight: The most the entries may weigh together; at least 1.
    ///   - weigher: An entry's weight, 0 or more; called once per insertion.
    ///   - policy: What to keep when full.
    ///   - defaultTimeToLive: How long an entry lives when no time is named; `nil` for no limit.
    ///   - shardCount: How many independently locked parts to use (see ``init(maximumCount:policy:defaultTimeToLive:shardCount:clock:)``).
    ///   - clock: The clock that times entries out.
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` for invalid bounds or times.
    public init(
        maximumWeight: Int, weigher: (@Sendable (Key, Value) -> Int)?, policy: EvictionPolicy = .windowTinyLFU,
        defaultTimeToLive: Duration? = nil, shardCount: Int? = nil, clock: some Clock<Duration> = ContinuousClock()
    ) throws(CacheError) {
        guard maximumWeight >= 1 else {
            throw .invalidConfiguration("the cache's capacity must be at least 1, not \(maximumWeight)")
        }
        if let defaultTimeToLive, defaultTimeToLive <= .zero {
            throw .invalidConfiguration("the default time to live must be positive, not \(defaultTimeToLive)")
        }
        if let shardCount, shardCount < 1 {
            throw .invalidConfiguration("the shard count must be at least 1, not \(shardCount)")
        }
        let wanted = min(shardCount ?? 16 * ProcessInfo.processInfo.activeProcessorCount, maximumWeight)
        var count = 1
        while count * 2 <= wanted { count *= 2 }
        if shardCount == nil { while count > 1, maximumWeight / count < 64 { count /= 2 } }
        var remaining = maximumWeight
        let storage = UnsafeMutablePointer<PaddedShard>.allocate(capacity: count)
        for index in 0..<count {
            let share = remaining / (count - index)
            remaining -= share
            (storage + index).initialize(to: PaddedShard(maximumWeight: share, policy: policy))
        }
        self.shards = storage
        self.shardCount = count
        self.shardMask = count - 1
        self.weigher = weigher
        self.maximumWeight = maximumWeight
        self.policy = policy
        self.defaultTimeToLive = defaultTimeToLive?.nanoseconds
        self.clock = InjectedClock(clock)
    }

    /// The live value for `key`, or `nil`; counts a hit or a miss and informs the policy.
    @inlinable
    public func value(forKey key: Key) -> Value? {
        let hash = key.hashValue
        let now = clock.nanoseconds
        return shards[shardIndex(for: hash)].mutex.withLock { $0.value(forKey: key, hash: hash, now: now) }
    }

    /// The live value for `key`, or `nil`, without counting a hit or informing the policy.
    @inlinable
    public func peekValue(forKey key: Key) -> Value? {
        let now = clock.nanoseconds
        return shards[shardIndex(for: key.hashValue)].mutex.withLock { $0.peek(key, now: now) }
    }

    /// Stores `value` for `key`, replacing any previous value.
    ///
    /// - Parameters:
    ///   - timeToLive: How long the entry lives; `nil` uses the cache's default.
    /// - Returns: Whether the entry was stored; false when it alone is heavier than a shard holds
    ///   (any previous value for the key is removed then) or `timeToLive` is not positive.
    @inlinable @discardableResult
    public func setValue(_ value: Value, forKey key: Key, timeToLive: Duration? = nil) -> Bool {
        let hash = key.hashValue
        let now = clock.nanoseconds
        guard let expiresAt = expiry(timeToLive, now: now) else {
            _ = shards[shardIndex(for: hash)].mutex.withLock { $0.removeValue(forKey: key) }
            return false
        }
        let weight = weigher.map { max(0, $0(key, value)) } ?? 1
        return shards[shardIndex(for: hash)].mutex.withLock {
            $0.setValue(value, forKey: key, hash: hash, weight: weight, expiresAt: expiresAt, now: now)
        }
    }

    /// When an entry stored `now` with `timeToLive` (or the default) expires; `nil` when the time
    /// to live is not positive (nothing may be stored).
    @usableFromInline
    func expiry(_ timeToLive: Duration?, now: Int64) -> Int64? {
        guard let lifetime = timeToLive?.nanoseconds ?? defaultTimeToLive else { return .max }
        guard lifetime > 0 else { return nil }
        return now.addingReportingOverflow(lifetime).overflow ? .max : now + lifetime
    }

    /// Stores `value` for `key` unless a live value is there already, in one step: of callers racing
    /// on a new key, exactly one stores and the others get its value (check-then-set with
    /// ``value(forKey:)`` and ``setValue(_:forKey:timeToLive:)`` could let two believe they were
    /// first). Counts a hit or a miss like ``value(forKey:)``.
    ///
    /// - Parameters:
    ///   - timeToLive: How long a stored entry lives; `nil` uses the cache's default. When it is not
    ///     positive nothing is stored.
    /// - Returns: The live value already there (nothing is stored), or `nil` when there was none —
    ///   `value` was then stored, unless it alone is heavier than a shard holds or `timeToLive` is
    ///   not positive.
    @inlinable @discardableResult
    public func insertIfAbsent(_ value: Value, forKey key: Key, timeToLive: Duration? = nil) -> Value? {
        let hash = key.hashValue
        let now = clock.nanoseconds
        let expiresAt = expiry(timeToLive, now: now)
        let weight = weigher.map { max(0, $0(key, value)) } ?? 1
        return shards[shardIndex(for: hash)].mutex.withLock { shard -> Value? in
            if let existing = shard.value(forKey: key, hash: hash, now: now) { return existing }
            if let expiresAt { _ = shard.setValue(value, forKey: key, hash: hash, weight: weight, expiresAt: expiresAt, now: now) }
            return nil
        }
    }

    /// Removes the entry for `key`; returns its value if there was one.
    @inlinable @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        shards[shardIndex(for: key.hashValue)].mutex.withLock { $0.removeValue(forKey: key) }
    }

    /// Removes every entry whose key and value satisfy `predicate`; returns how many.
    ///
    /// `predicate` runs on a snapshot, with no lock held, so it may use this cache; an entry
    /// written while the call runs may be kept or removed.
    @discardableResult
    public func removeAll(where predicate: (Key, Value) throws -> Bool) rethrows -> Int {
        var removed = 0
        for index in 0..<shardCount {
            for (key, value) in shards[index].mutex.withLock({ $0.entries() }) where try predicate(key, value) {
                if shards[index].mutex.withLock({ $0.removeValue(forKey: key) }) != nil { removed += 1 }
            }
        }
        return removed
    }

    /// Removes every entry.
    public func removeAll() {
        for index in 0..<shardCount { shards[index].mutex.withLock { $0.removeAllEntries() } }
    }

    /// Removes every entry whose time to live has passed; returns how many.
    @discardableResult
    public func removeExpired() -> Int {
        let now = clock.nanoseconds
        return (0..<shardCount).reduce(0) { total, index in total + shards[index].mutex.withLock { $0.removeExpired(now: now) } }
    }

    /// The number of entries held, expired ones not yet dropped included.
    public var count: Int { (0..<shardCount).reduce(0) { total, index in total + shards[index].mutex.withLock { $0.count } } }

    /// The total weight of the entries held (their count, when there is no weigher).
    public var totalWeight: Int {
        (0..<shardCount).reduce(0) { total, index in total + shards[index].mutex.withLock { $0.totalWeight } }
    }

    /// The keys of the live entries, in no particular order.
    public var keys: [Key] {
        let now = clock.nanoseconds
        return (0..<shardCount).flatMap { index in shards[index].mutex.withLock { $0.keys(now: now) } }
    }

    /// Hit, miss, eviction, expiration and rejection counts, summed over the shards.
    public var statistics: CacheStatistics {
        (0..<shardCount).reduce(CacheStatistics()) { total, index in total + shards[index].mutex.withLock { $0.statistics } }
    }

    /// Sets every statistic back to 0.
    public func resetStatistics() {
        for index in 0..<shardCount { shards[index].mutex.withLock { $0.resetStatistics() } }
    }

    deinit {
        shards.deinitialize(count: shardCount)
        shards.deallocate()
    }

    @inlinable
    func shardIndex(for hash: Int) -> Int {
        // The high bits choose the shard; the sketch and the dictionary use the whole hash.
        (Int(truncatingIfNeeded: UInt64(bitPattern: Int64(hash)) &* 0x9E37_79B9_7F4A_7C15 >> 40) & shardMask)
    }
}
