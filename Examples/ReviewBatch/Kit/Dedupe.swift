import LLMCache
import LLMCore

/// Remembers which review first had a given text, so duplicates are not sent to the model.
public protocol DedupeStore: Sendable {
    /// Claims `hash` for review `id`: returns the id that claimed it first (which is `id` itself
    /// when this is the first claim, or a repeated claim by the same review).
    func claim(hash: String, id: String) async throws -> String
}

/// Dedupe in this process, bounded: the most recently seen texts are remembered (W-TinyLFU), so a
/// duplicate far apart from its original may be extracted twice — never lost.
public final class InMemoryDedupe: DedupeStore {
    /// The first 128 bits of a content hash: as unique as the whole for this purpose, at a quarter
    /// of the memory of its hexadecimal text.
    struct HashKey: Hashable, Sendable {
        var high: UInt64
        var low: UInt64

        init(hex: String) {
            let digits = Array(hex.utf8.prefix(32))
            func value(_ range: Range<Int>) -> UInt64 {
                digits[range].reduce(UInt64(0)) { total, digit in
                    let nibble: UInt8 = digit >= 97 ? digit - 87 : digit >= 65 ? digit - 55 : digit &- 48
                    return total << 4 | UInt64(nibble & 0xF)
                }
            }
            high = digits.count >= 16 ? value(0..<16) : 0
            low = digits.count >= 32 ? value(16..<32) : 0
        }
    }

    private let cache: ExactCache<HashKey, String>

    /// Remembers up to `capacity` texts.
    public init(capacity: Int = 1_000_000) throws {
        cache = try ExactCache(maximumCount: max(1, capacity))
    }

    /// Claims `hash` for `id` unless another review has it.
    public func claim(hash: String, id: String) async throws -> String {
        cache.insertIfAbsent(id, forKey: HashKey(hex: hash)) ?? id
    }

    /// Records an earlier run's claim.
    func preload(hash: String, id: String) {
        let key = HashKey(hex: hash)
        if cache.peekValue(forKey: key) == nil { cache.setValue(id, forKey: key) }
    }
}

/// Dedupe shared by every run and machine through Redis: `SET key id NX` claims, `GET` reads the owner.
public final class RedisDedupe: DedupeStore {
    private let client: RedisClient
    private let prefix: String
    private let timeToLive: Duration

    /// Uses `client`, keys under `prefix`, each remembered for `timeToLive`.
    public init(client: RedisClient, prefix: String = "reviewbatch:dedupe:", timeToLive: Duration = .seconds(7 * 86_400)) {
        self.client = client
        self.prefix = prefix
        self.timeToLive = timeToLive
    }

    /// Claims `hash` for `id` unless another review has it.
    public func claim(hash: String, id: String) async throws -> String {
        let key = prefix + hash
        let milliseconds = String(timeToLive.components.seconds * 1_000)
        if case .simpleString = try await client.send("SET", key, id, "NX", "PX", milliseconds) { return id }
        if case .bulkString(let owner) = try await client.send("GET", key) { return String(decoding: owner, as: UTF8.self) }
        return id
    }
}
