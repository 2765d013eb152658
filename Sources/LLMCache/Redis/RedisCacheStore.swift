/// A ``CacheStore`` on Redis: entries are shared by every process that points at the same
/// server and database, and expire through Redis's own expiry (`SET … PX`).
///
/// ```swift
/// let store = RedisCacheStore(client: RedisClient(RedisConfiguration(host: "cache.internal")))
/// let responses = try ResponseCache(maximumCount: 1_000, timeToLive: .seconds(3600), shared: store)
/// let model = provider.cached(exact: responses)
/// ```
public struct RedisCacheStore: CacheStore {
    /// The client the store talks through.
    public let client: RedisClient

    /// A store on `client`'s server.
    public init(client: RedisClient) {
        self.client = client
    }

    /// The bytes under `key` (`GET`).
    public func value(forKey key: String) async throws(CacheError) -> [UInt8]? {
        try Self.bytes(of: try await run([["GET", key].bytes])[0], key: key)
    }

    /// The bytes under each key, in one round trip (`MGET`).
    public func values(forKeys keys: [String]) async throws(CacheError) -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        guard case .array(let replies) = try await run([(["MGET"] + keys).bytes])[0], replies.count == keys.count else {
            throw .storeUnavailable("Redis answered MGET with something other than one value per key")
        }
        var values: [[UInt8]?] = []
        for (reply, key) in zip(replies, keys) { values.append(try Self.bytes(of: reply, key: key)) }
        return values
    }

    /// Stores `value` under `key` (`SET`, with `PX` when there is a time to live).
    public func setValue(_ value: [UInt8], forKey key: String, timeToLive: Duration?) async throws(CacheError) {
        var command: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if let timeToLive {
            let milliseconds = max(1, timeToLive.components.seconds * 1000 + timeToLive.components.attoseconds / 1_000_000_000_000_000)
            command += [Array("PX".utf8), Array(String(milliseconds).utf8)]
        }
        _ = try await run([command])
    }

    /// Removes `key` (`DEL`); returns whether it existed.
    @discardableResult
    public func removeValue(forKey key: String) async throws(CacheError) -> Bool {
        (try await run([["DEL", key].bytes])[0].integer ?? 0) > 0
    }

    /// Every key starting with `prefix`, found with `SCAN` (never `KEYS`, which blocks the server).
    public func keys(withPrefix prefix: String) async throws(CacheError) -> [String] {
        let pattern = Self.escapedForGlob(prefix) + "*"
        var cursor = "0"
        var keys: [String] = []
        repeat {
            guard case .array(let reply) = try await run([["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"].bytes])[0],
                reply.count == 2, let next = reply[0].string, case .array(let batch) = reply[1]
            else { throw .storeUnavailable("Redis answered SCAN with an unexpected reply") }
            keys += batch.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        return Array(Set(keys))  // SCAN may return a key more than once.
    }

    private func run(_ commands: [[[UInt8]]]) async throws(CacheError) -> [RedisValue] {
        let replies: [RedisValue]
        do {
            replies = try await client.pipeline(commands)
        } catch {
            throw .storeUnavailable("\(error)")
        }
        for case .error(let message) in replies { throw .storeUnavailable("Redis error: \(message)") }
        return replies
    }

    private static func bytes(of reply: RedisValue, key: String) throws(CacheError) -> [UInt8]? {
        switch reply {
        case .null: return nil
        case .bulkString(let bytes): return bytes
        default: throw .corruptData("Redis holds something other than a string under \(key)")
        }
    }

    /// `prefix` with Redis glob characters escaped, so it matches literally.
    static func escapedForGlob(_ prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if "*?[]\\^-".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension Array where Element == String {
    fileprivate var bytes: [[UInt8]] { map { [UInt8]($0.utf8) } }
}
