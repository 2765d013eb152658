/// A ``CacheStore`` in this process's memory, bounded by bytes, with Window TinyLFU eviction.
///
/// Useful in tests and single-process deployments; it shares nothing with other processes.
public final class InMemoryCacheStore: CacheStore {
    private let cache: ExactCache<String, [UInt8]>

    /// Creates a store that holds at most `maximumBytes` of keys and values.
    ///
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` for a bound below 1.
    public init(maximumBytes: Int = 64 << 20, clock: some Clock<Duration> = ContinuousClock()) throws(CacheError) {
        cache = try ExactCache(
            maximumWeight: maximumBytes, weigher: { key, value in key.utf8.count + value.count }, shardCount: 1,
            clock: clock)
    }

    /// The bytes under `key`, if present and not expired.
    public func value(forKey key: String) async throws(CacheError) -> [UInt8]? { cache.value(forKey: key) }

    /// Stores `value` under `key` for `timeToLive` (`nil`: until evicted).
    public func setValue(_ value: [UInt8], forKey key: String, timeToLive: Duration?) async throws(CacheError) {
        cache.setValue(value, forKey: key, timeToLive: timeToLive)
    }

    /// Removes the value under `key`; returns whether there was one.
    @discardableResult
    public func removeValue(forKey key: String) async throws(CacheError) -> Bool {
        cache.removeValue(forKey: key) != nil
    }

    /// Every live key that starts with `prefix`.
    public func keys(withPrefix prefix: String) async throws(CacheError) -> [String] {
        cache.keys.filter { $0.hasPrefix(prefix) }
    }
}
