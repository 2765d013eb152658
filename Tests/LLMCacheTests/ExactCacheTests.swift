import Dispatch
import LLMTesting
import Synchronization
import Testing

@testable import LLMCache

/// The textbook LRU, to check the cache's LRU mode against.
private struct ReferenceLRU {
    let capacity: Int
    var order: [Int] = []  // Least recent first.

    mutating func access(_ key: Int) -> Bool {
        if let index = order.firstIndex(of: key) {
            order.remove(at: index)
            order.append(key)
            return true
        }
        order.append(key)
        if order.count > capacity { order.removeFirst() }
        return false
    }
}

@Suite("ExactCache")
struct ExactCacheTests {
    @Test("entries expire after their time to live on the injected clock")
    func timeToLive() async throws {
        let clock = ManualClock()
        let cache = try ExactCache<String, Int>(maximumCount: 10, defaultTimeToLive: .seconds(60), clock: clock)
        cache.setValue(1, forKey: "default")
        cache.setValue(2, forKey: "short", timeToLive: .seconds(5))
        #expect(cache.value(forKey: "short") == 2)
        await clock.advance(by: .seconds(5))
        #expect(cache.value(forKey: "short") == nil)
        #expect(cache.value(forKey: "default") == 1)
        await clock.advance(by: .seconds(54))
        #expect(cache.peekValue(forKey: "default") == 1)
        await clock.advance(by: .seconds(1))
        #expect(cache.value(forKey: "default") == nil)
        #expect(cache.statistics.expirations == 2)
        #expect(cache.statistics.hits == 2)
        #expect(cache.statistics.misses == 2)
    }

    @Test("insertIfAbsent: of racing callers exactly one stores; an expired entry counts as absent")
    func insertIfAbsent() async throws {
        let cache = try ExactCache<Int, Int>(maximumCount: 10_000)
        let winners = Mutex<[Int: [Int]]>([:])
        let seen = Mutex<[Int: Set<Int>]>([:])
        DispatchQueue.concurrentPerform(iterations: 8) { contender in
            for key in 0..<2_000 {
                let existing = cache.insertIfAbsent(contender, forKey: key)
                if existing == nil { winners.withLock { $0[key, default: []].append(contender) } }
                seen.withLock { _ = $0[key, default: []].insert(existing ?? contender) }
            }
        }
        #expect(winners.withLock { $0.count == 2_000 && $0.values.allSatisfy { $0.count == 1 } }, "one winner per key")
        #expect(seen.withLock { $0.values.allSatisfy { $0.count == 1 } }, "every caller saw the winner's value")

        let clock = ManualClock()
        let expiring = try ExactCache<String, Int>(maximumCount: 10, clock: clock)
        #expect(expiring.insertIfAbsent(1, forKey: "k", timeToLive: .seconds(5)) == nil)
        #expect(expiring.insertIfAbsent(2, forKey: "k") == 1)
        await clock.advance(by: .seconds(5))
        #expect(expiring.insertIfAbsent(3, forKey: "k") == nil)
        #expect(expiring.value(forKey: "k") == 3)
    }

    @Test("removeExpired drops expired entries and keys lists only live ones")
    func purge() async throws {
        let clock = ManualClock()
        let cache = try ExactCache<Int, Int>(maximumCount: 100, clock: clock)
        for key in 0..<10 { cache.setValue(key, forKey: key, timeToLive: key < 4 ? .seconds(1) : nil) }
        await clock.advance(by: .seconds(2))
        #expect(Set(cache.keys) == Set(4..<10))
        #expect(cache.count == 10)
        #expect(cache.removeExpired() == 4)
        #expect(cache.count == 6)
    }

    @Test("a zero or negative time to live stores nothing and removes the old value")
    func zeroTimeToLive() throws {
        let cache = try ExactCache<Int, Int>(maximumCount: 4)
        cache.setValue(1, forKey: 1)
        #expect(!cache.setValue(2, forKey: 1, timeToLive: .zero))
        #expect(cache.value(forKey: 1) == nil)
    }

    @Test("invalid settings are refused with a typed error")
    func invalidConfiguration() {
        #expect(throws: CacheError.self) { try ExactCache<Int, Int>(maximumCount: 0) }
        #expect(throws: CacheError.self) { try ExactCache<Int, Int>(maximumCount: 10, defaultTimeToLive: .seconds(-1)) }
        #expect(throws: CacheError.self) { try ExactCache<Int, Int>(maximumCount: 10, shardCount: 0) }
    }

    @Test("the LRU policy behaves exactly like the textbook LRU", arguments: [1, 7, 50])
    func lruMatchesReference(capacity: Int) throws {
        let cache = try ExactCache<Int, Int>(maximumCount: capacity, policy: .leastRecentlyUsed, shardCount: 1)
        var reference = ReferenceLRU(capacity: capacity)
        var generator = SeededRandomNumberGenerator(seed: UInt64(capacity))
        for step in 0..<5_000 {
            let key = Int.random(in: 0..<(capacity * 3), using: &generator)
            let hit = cache.value(forKey: key) != nil
            if !hit { cache.setValue(key, forKey: key) }
            #expect(hit == reference.access(key), "step \(step), key \(key)")
        }
        #expect(cache.count == min(capacity, reference.order.count))
    }

    @Test("Window TinyLFU keeps popular keys through a scan that flushes LRU")
    func scanResistance() throws {
        for (policy, shouldKeep) in [(EvictionPolicy.windowTinyLFU, true), (.leastRecentlyUsed, false)] {
            let cache = try ExactCache<Int, Int>(maximumCount: 200, policy: policy, shardCount: 1)
            for _ in 0..<20 {
                for key in 0..<100 where cache.value(forKey: key) == nil { cache.setValue(key, forKey: key) }
            }
            for key in 1_000..<3_000 where cache.value(forKey: key) == nil { cache.setValue(key, forKey: key) }
            let kept = (0..<100).filter { cache.peekValue(forKey: $0) != nil }.count
            #expect((kept >= 95) == shouldKeep, "\(policy) kept \(kept) of 100 popular keys")
        }
    }

    @Test("a weight bound is kept and an entry heavier than a shard is refused, removing the old value")
    func weights() throws {
        let cache = try ExactCache<String, String>(
            maximumWeight: 100, weigher: { _, value in value.utf8.count }, shardCount: 1)
        cache.setValue("small", forKey: "a")
        #expect(!cache.setValue(String(repeating: "x", count: 101), forKey: "a"))
        #expect(cache.value(forKey: "a") == nil)
        #expect(cache.statistics.rejections == 1)
        for index in 0..<50 { cache.setValue(String(repeating: "y", count: 10), forKey: "k\(index)") }
        #expect(cache.totalWeight <= 100)
        // Growing an entry in place also respects the bound.
        cache.setValue(String(repeating: "z", count: 95), forKey: "k49")
        #expect(cache.totalWeight <= 100)
    }

    @Test("the bound holds at every moment under concurrent writers, readers and removers")
    func concurrentBound() async throws {
        let cache = try ExactCache<Int, [UInt8]>(maximumWeight: 4_000, weigher: { _, value in value.count }, shardCount: 4)
        let violations = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var violations = 0
                    var generator = SeededRandomNumberGenerator(seed: UInt64(worker))
                    for _ in 0..<5_000 {
                        let key = Int.random(in: 0..<2_000, using: &generator)
                        switch Int.random(in: 0..<10, using: &generator) {
                        case 0: cache.removeValue(forKey: key)
                        case 1...4: _ = cache.value(forKey: key)
                        default: cache.setValue([UInt8](repeating: 0, count: Int.random(in: 1...50, using: &generator)), forKey: key)
                        }
                        if cache.totalWeight > 4_000 { violations += 1 }
                    }
                    return violations
                }
            }
            return await group.reduce(0, +)
        }
        #expect(violations == 0)
        #expect(cache.totalWeight <= 4_000)
        #expect(cache.keys.allSatisfy { cache.peekValue(forKey: $0) != nil })
    }

    @Test("removal by predicate, removeAll and statistics reset")
    func removal() throws {
        let cache = try ExactCache<Int, String>(maximumCount: 100)
        for key in 0..<20 { cache.setValue("v\(key)", forKey: key) }
        #expect(cache.removeAll { key, _ in key.isMultiple(of: 2) } == 10)
        #expect(cache.count == 10)
        #expect(cache.removeValue(forKey: 1) == "v1")
        cache.removeAll()
        #expect(cache.count == 0 && cache.totalWeight == 0)
        _ = cache.value(forKey: 3)
        #expect(cache.statistics.misses == 1)
        cache.resetStatistics()
        #expect(cache.statistics == CacheStatistics())
    }
}
