/// Somewhere cache entries can live outside one process: bytes under string keys, with an
/// optional expiry. ``RedisCacheStore`` shares entries between processes and machines;
/// ``InMemoryCacheStore`` keeps them in this process (for tests, and as a stand-in).
///
/// Implementations are safe to call from many tasks at once.
public protocol CacheStore: Sendable {
    /// The bytes stored under `key`, or `nil` when there are none or they expired.
    func value(forKey key: String) async throws(CacheError) -> [UInt8]?

    /// The bytes stored under each key, in order, `nil` where there are none.
    func values(forKeys keys: [String]) async throws(CacheError) -> [[UInt8]?]

    /// Stores `value` under `key`, replacing what was there; it expires after `timeToLive`
    /// (`nil`: never).
    func setValue(_ value: [UInt8], forKey key: String, timeToLive: Duration?) async throws(CacheError)

    /// Removes the value under `key`; returns whether there was one.
    @discardableResult
    func removeValue(forKey key: String) async throws(CacheError) -> Bool

    /// Every key that starts with `prefix`.
    func keys(withPrefix prefix: String) async throws(CacheError) -> [String]
}

extension CacheStore {
    /// Looks the keys up one by one; stores that can batch (Redis) do better.
    public func values(forKeys keys: [String]) async throws(CacheError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for key in keys { values.append(try await value(forKey: key)) }
        return values
    }
}
