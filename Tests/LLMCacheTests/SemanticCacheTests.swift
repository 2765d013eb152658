import Foundation
import LLMCore
import LLMTesting
import Testing

@testable import LLMCache

/// An embedder that looks texts up in a table, so similarities are exact and known.
struct TableEmbedder: EmbeddingModel {
    let table: [String: [Float]]
    /// Stated, not read off the table: a dictionary's order changes from run to run, and the
    /// table holds a deliberately short vector.
    let dimensions = 3

    func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try texts.map { text throws(LLMError) in
            guard let vector = table[text] else { throw LLMError(kind: .badRequest, message: "no vector for '\(text)'") }
            return vector
        }
    }
}

/// A unit vector at cosine `similarity` from (1, 0, 0).
func unit(similarity: Float) -> [Float] { [similarity, (1 - similarity * similarity).squareRoot(), 0] }

let embedder = TableEmbedder(table: [
    "reset password": [1, 0, 0],
    "how do I reset my password": unit(similarity: 0.96),
    "change my email": unit(similarity: 0.94),
    "opening hours": [0, 0, 1],
    "nan": [.nan, 0, 0],
    "short": [1, 0],
])

@Suite("SemanticCache")
struct SemanticCacheTests {
    @Test("a hit needs cosine similarity at or above the threshold, and reports it")
    func thresholdIsSimilarity() async throws {
        let cache = try SemanticCache<String>(embedder: embedder, configuration: .init(similarityThreshold: 0.95))
        try await cache.insert("Use the reset link.", for: "reset password")
        let hit = try #require(try await cache.lookup("how do I reset my password"))
        #expect(hit.value == "Use the reset link.")
        #expect(abs(hit.similarity - 0.96) < 1e-4)
        #expect(hit.matchedText == "reset password")
        #expect(try await cache.lookup("change my email") == nil)  // 0.94 < 0.95
        #expect(try await cache.lookup("opening hours") == nil)
        let loose = try SemanticCache<String>(embedder: embedder, configuration: .init(similarityThreshold: 0.9))
        try await loose.insert("Use the reset link.", for: "reset password")
        #expect(try await loose.lookup("change my email")?.value == "Use the reset link.")
    }

    @Test("thresholds outside (0, 1] are refused: a distance passed as a threshold is caught")
    func thresholdRange() {
        for threshold in [0, -0.5, 1.5] {
            #expect(throws: CacheError.self) {
                try SemanticCache<String>(embedder: embedder, configuration: .init(similarityThreshold: threshold))
            }
        }
    }

    @Test("an entry never answers a lookup in another partition")
    func partitions() async throws {
        let cache = try SemanticCache<String>(embedder: embedder)
        let tenantA = CacheKey(hashing: "tenant A")
        let tenantB = CacheKey(hashing: "tenant B")
        try await cache.insert("A's answer", for: "reset password", partition: tenantA)
        #expect(try await cache.lookup("reset password", partition: tenantB) == nil)
        #expect(try await cache.lookup("reset password") == nil)
        #expect(try await cache.lookup("reset password", partition: tenantA)?.value == "A's answer")
        #expect(cache.partitionCount == 1)
    }

    @Test("entries expire on the injected clock")
    func expiry() async throws {
        let clock = ManualClock()
        let cache = try SemanticCache<String>(
            embedder: embedder, configuration: .init(defaultTimeToLive: .seconds(60)), clock: clock)
        try await cache.insert("default", for: "reset password")
        try await cache.insert("short", for: "opening hours", timeToLive: .seconds(5))
        await clock.advance(by: .seconds(5))
        #expect(try await cache.lookup("opening hours") == nil)
        #expect(try await cache.lookup("reset password")?.value == "default")
        await clock.advance(by: .seconds(55))
        #expect(try await cache.lookup("reset password") == nil)
        #expect(cache.count == 0)
    }

    @Test("invalidating a tag removes exactly the entries stored with it")
    func tags() async throws {
        let cache = try SemanticCache<String>(embedder: embedder)
        try await cache.insert("reset answer", for: "reset password", tags: ["doc-1", "doc-2"])
        try await cache.insert("hours answer", for: "opening hours", tags: ["doc-3"])
        #expect(try await cache.invalidate(tag: "doc-2") == 1)
        #expect(try await cache.lookup("reset password") == nil)
        #expect(try await cache.lookup("opening hours")?.value == "hours answer")
        #expect(try await cache.invalidate(tag: "doc-2") == 0)
    }

    @Test("the size bound evicts the least recently used entry")
    func bound() async throws {
        let cache = try SemanticCache<String>(embedder: embedder, configuration: .init(maximumCount: 2))
        try await cache.insert("1", for: "reset password")
        try await cache.insert("2", for: "opening hours")
        _ = try await cache.lookup("reset password")  // Now the most recent.
        try await cache.insert("3", for: "change my email", partition: CacheKey(hashing: "other"))
        #expect(cache.count == 2)
        #expect(try await cache.lookup("opening hours") == nil)
        #expect(try await cache.lookup("reset password")?.value == "1")
        // The same text in the same partition replaces rather than duplicates.
        try await cache.insert("1b", for: "reset password")
        #expect(cache.count == 2)
        #expect(try await cache.lookup("reset password")?.value == "1b")
    }

    @Test("bad input gets a typed error")
    func badInput() async throws {
        let cache = try SemanticCache<String>(embedder: embedder)
        await #expect(throws: CacheError.self) { try await cache.insert("x", for: "") }
        await #expect(throws: CacheError.self) { try await cache.insert("x", for: "nan") }
        await #expect(throws: CacheError.self) { try await cache.insert("x", for: "short") }
        await #expect(throws: CacheError.self) { try await cache.lookup(embedding: [0, 0, 0]) }
        do {
            _ = try await cache.lookup("no such text")
            Issue.record("expected an embedding failure")
        } catch {
            guard case .embeddingFailed = error else { throw error }
        }
        #expect(cache.count == 0)
    }

    @Test("save and load keep entries, tags and partitions; damaged files are refused whole")
    func saveAndLoad() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cache.json").path
        let cache = try SemanticCache<String>(embedder: embedder)
        let tenant = CacheKey(hashing: "tenant")
        try await cache.insert("reset answer", for: "reset password", partition: tenant, tags: ["doc-1"])
        try await cache.insert("hours answer", for: "opening hours", timeToLive: .seconds(3600))
        try cache.save(to: path)

        let copy = try SemanticCache<String>(embedder: embedder)
        #expect(try copy.load(from: path) == 2)
        #expect(try await copy.lookup("how do I reset my password", partition: tenant)?.value == "reset answer")
        #expect(try await copy.lookup("opening hours")?.value == "hours answer")
        #expect(try await copy.invalidate(tag: "doc-1") == 1)

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let fresh = try SemanticCache<String>(embedder: embedder)
        #expect(throws: CacheError.self) { try fresh.load(from: path) }
        #expect(fresh.count == 0)
        #expect(throws: CacheError.self) { try fresh.load(from: directory.appendingPathComponent("missing").path) }
    }

    @Test("through a shared store, another instance restores the entries and sees invalidations")
    func sharedStore() async throws {
        let store = try InMemoryCacheStore()
        let first = try SemanticCache<String>(embedder: embedder, store: store)
        let second = try SemanticCache<String>(embedder: embedder, store: store)
        try await first.insert("reset answer", for: "reset password", tags: ["doc-1"])
        #expect(try await second.restoreFromStore() == 1)
        #expect(try await second.lookup("how do I reset my password")?.value == "reset answer")
        _ = try await first.invalidate(tag: "doc-1")
        #expect(try await second.lookup("how do I reset my password") == nil)
        #expect(second.count == 0)
    }
}
