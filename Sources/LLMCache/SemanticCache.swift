import Foundation
import HNSW
import LLMCore
import Synchronization

/// A cache that answers a question with the value stored for a *similar* question: texts are
/// embedded with any ``LLMCore/EmbeddingModel`` and matched in an ``HNSW/HNSWIndex`` by cosine
/// similarity.
///
/// **The threshold is a similarity, not a distance**: a lookup hits when
/// cos(question, cached question) ≥ ``Configuration/similarityThreshold`` (1 = same direction,
/// 0 = unrelated). Higher thresholds hit less often and are wrong less often; on real paraphrase
/// data with all-MiniLM-L6-v2 embeddings, 0.95 returns another question's answer for about 1 hit
/// in 10 and catches about 1 paraphrase in 5 (see the README's table before choosing).
///
/// Entries live in **partitions** (a ``CacheKey``), each with its own index, so an answer can
/// never be returned across models, system prompts, tool sets, tenants or conversations: build
/// the partition from everything that must match exactly (``SemanticCachingChatModel`` does this
/// for chat requests, including a hash of the preceding turns). Entries carry tags (say, the ids of
/// the documents an answer cites) so ``invalidate(tag:)`` can drop every answer built on a changed
/// document; they expire after their time to live, and the least recently used go first when the
/// cache is full.
///
/// With a ``CacheStore`` (Redis), every entry is also written there with its vector, a process
/// rebuilds its index from the store with ``restoreFromStore()``, and a hit is confirmed against
/// the store, so an entry invalidated or expired by another process is not served.
public final class SemanticCache<Value: Codable & Sendable>: Sendable {
    /// Settings of a semantic cache.
    public struct Configuration: Sendable, Hashable {
        /// The least cosine similarity that counts as a hit, in (0, 1]. Default 0.95.
        public var similarityThreshold: Double
        /// The most entries held, over all partitions; the least recently used go first.
        public var maximumCount: Int
        /// How long an entry lives when none is named; `nil` until evicted.
        public var defaultTimeToLive: Duration?
        /// HNSW links per node.
        public var m: Int
        /// HNSW candidate list size while inserting.
        public var efConstruction: Int
        /// HNSW candidate list size while searching.
        public var efSearch: Int
        /// Put in front of every key this cache writes to a store.
        public var storeKeyPrefix: String

        /// Creates settings.
        public init(
            similarityThreshold: Double = 0.95, maximumCount: Int = 100_000, defaultTimeToLive: Duration? = nil,
            m: Int = 16, efConstruction: Int = 100, efSearch: Int = 64, storeKeyPrefix: String = "llm:semantic:"
        ) {
            self.similarityThreshold = similarityThreshold
            self.maximumCount = maximumCount
            self.defaultTimeToLive = defaultTimeToLive
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.storeKeyPrefix = storeKeyPrefix
        }
    }

    struct Entry: Sendable {
        var partition: CacheKey
        var identity: CacheKey
        var text: String
        var vector: [Float]
        var value: Value
        var tags: Set<String>
        var expiresAt: Int64
    }

    struct State: Sendable {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var idOfIdentity: [CacheKey: UInt64] = [:]
        var indexes: [CacheKey: HNSWIndex<UInt64>] = [:]
        /// Entries per partition: a partition's index is dropped when its last entry goes (not
        /// when the index looks empty, which it also does while an entry's vector is being added).
        var entryCounts: [CacheKey: Int] = [:]
        var idsOfTag: [String: Set<UInt64>] = [:]
        var recency = RecencyList<UInt64>()
    }

    /// The partition used when none is given.
    public static var defaultPartition: CacheKey { CacheKey(hashing: "semantic-cache:default-partition") }

    /// The settings.
    public let configuration: Configuration
    /// The model that embeds texts.
    public let embedder: any EmbeddingModel
    /// The store entries are mirrored to, if any.
    public let store: (any CacheStore)?
    private let clock: InjectedClock
    private let state = Mutex(State())

    /// Creates an empty cache.
    ///
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` for a threshold outside (0, 1], a bound
    ///   below 1, a non-positive time to live or HNSW settings out of range.
    public init(
        embedder: any EmbeddingModel, configuration: Configuration = Configuration(), store: (any CacheStore)? = nil,
        clock: some Clock<Duration> = ContinuousClock()
    ) throws(CacheError) {
        guard configuration.similarityThreshold > 0, configuration.similarityThreshold <= 1 else {
            throw .invalidConfiguration(
                "the similarity threshold is a cosine similarity in (0, 1], not \(configuration.similarityThreshold) "
                    + "(a distance d corresponds to the similarity 1 - d)")
        }
        guard configuration.maximumCount >= 1 else {
            throw .invalidConfiguration("the maximum count must be at least 1, not \(configuration.maximumCount)")
        }
        if let ttl = configuration.defaultTimeToLive, ttl <= .zero {
            throw .invalidConfiguration("the default time to live must be positive, not \(ttl)")
        }
        guard embedder.dimensions > 0 else {
            throw .invalidConfiguration("the embedder reports \(embedder.dimensions) dimensions")
        }
        do {
            _ = try HNSWIndex<UInt64>(configuration: Self.indexConfiguration(configuration, dimension: embedder.dimensions))
        } catch {
            throw .invalidConfiguration("HNSW settings: \(error)")
        }
        self.configuration = configuration
        self.embedder = embedder
        self.store = store
        self.clock = InjectedClock(clock)
    }

    private static func indexConfiguration(_ configuration: Configuration, dimension: Int) -> HNSWIndex<UInt64>.Configuration {
        HNSWIndex<UInt64>.Configuration(
            dimension: dimension, metric: .cosine, m: configuration.m, efConstruction: configuration.efConstruction,
            efSearch: configuration.efSearch)
    }

    // MARK: Lookup

    /// The value cached for the most similar text in `partition`, if its similarity reaches the
    /// threshold and it has not expired.
    ///
    /// - Throws: ``CacheError/invalidInput(_:)`` for empty text or a bad embedding,
    ///   ``CacheError/embeddingFailed(_:)`` when the embedder fails.
    public func lookup(_ text: String, partition: CacheKey = defaultPartition) async throws(CacheError)
        -> SemanticCacheHit<Value>?
    {
        let vector = try await embed(text)
        return try await lookup(embedding: vector, partition: partition)
    }

    /// Like ``lookup(_:partition:)`` with an embedding the caller already has.
    ///
    /// - Throws: ``CacheError/invalidInput(_:)`` for a vector of the wrong length, with a NaN or
    ///   infinity, or all zeros.
    public func lookup(embedding: [Float], partition: CacheKey = defaultPartition) async throws(CacheError)
        -> SemanticCacheHit<Value>?
    {
        try validate(embedding)
        guard let index = state.withLock({ $0.indexes[partition] }) else { return nil }
        let results: [SearchResult<UInt64>]
        do {
            results = try index.search(embedding, k: 4)
        } catch {
            throw .invalidInput("the lookup vector cannot be searched: \(error)")
        }
        for result in results {
            let similarity = 1 - Double(result.distance)
            guard similarity >= configuration.similarityThreshold else { break }
            let now = clock.nanoseconds
            let found: Entry? = state.withLock { state in
                guard let entry = state.entries[result.key] else { return nil }
                guard entry.expiresAt > now else {
                    Self.remove(result.key, from: &state)
                    return nil
                }
                state.recency.touch(result.key)
                return entry
            }
            guard let entry = found else { continue }
            if let store, await !confirm(entry, in: store) { continue }
            return SemanticCacheHit(value: entry.value, similarity: similarity, matchedText: entry.text, tags: entry.tags)
        }
        return nil
    }

    /// Whether the store still holds the entry; if not, it was invalidated or expired elsewhere
    /// and is dropped here too. A store that cannot be reached does not veto the hit.
    private func confirm(_ entry: Entry, in store: any CacheStore) async -> Bool {
        do {
            if try await store.value(forKey: storeKey(entry.identity)) != nil { return true }
        } catch {
            return true
        }
        removeEntry(identity: entry.identity)
        return false
    }

    // MARK: Insertion

    /// Caches `value` for `text` in `partition`, replacing a value cached for the same text there.
    ///
    /// - Parameters:
    ///   - tags: Labels for ``invalidate(tag:)``, such as the ids of the documents the value cites.
    ///   - timeToLive: How long the entry lives; `nil` uses the configuration's default.
    /// - Throws: ``CacheError/invalidInput(_:)`` for empty text, a bad embedding or a non-positive
    ///   time to live; ``CacheError/embeddingFailed(_:)``; errors of the store, after the entry
    ///   was cached locally.
    public func insert(
        _ value: Value, for text: String, partition: CacheKey = defaultPartition, tags: Set<String> = [],
        timeToLive: Duration? = nil
    ) async throws(CacheError) {
        let vector = try await embed(text)
        try await insert(value, for: text, embedding: vector, partition: partition, tags: tags, timeToLive: timeToLive)
    }

    /// Like ``insert(_:for:partition:tags:timeToLive:)`` with an embedding the caller already has.
    public func insert(
        _ value: Value, for text: String, embedding: [Float], partition: CacheKey = defaultPartition,
        tags: Set<String> = [], timeToLive: Duration? = nil
    ) async throws(CacheError) {
        guard !text.isEmpty else { throw .invalidInput("cannot cache a value for empty text") }
        try validate(embedding)
        let lifetime = timeToLive ?? configuration.defaultTimeToLive
        if let lifetime, lifetime <= .zero { throw .invalidInput("the time to live must be positive, not \(lifetime)") }
        let now = clock.nanoseconds
        let expiresAt = lifetime.map { now.addingReportingOverflow($0.nanoseconds).overflow ? .max : now + $0.nanoseconds } ?? .max
        let entry = Entry(
            partition: partition, identity: Self.identity(partition: partition, text: text), text: text,
            vector: embedding, value: value, tags: tags, expiresAt: expiresAt)
        try insertLocally(entry)
        if let store {
            let record = try Self.record(of: entry, now: now)
            try await store.setValue(record, forKey: storeKey(entry.identity), timeToLive: lifetime)
        }
    }

    private func insertLocally(_ entry: Entry) throws(CacheError) {
        let dimension = embedder.dimensions
        let indexConfiguration = Self.indexConfiguration(configuration, dimension: dimension)
        let maximumCount = configuration.maximumCount
        let (id, index) = state.withLock { state -> (UInt64, HNSWIndex<UInt64>) in
            if let old = state.idOfIdentity[entry.identity] { Self.remove(old, from: &state) }
            while state.entries.count >= maximumCount, let oldest = state.recency.oldest { Self.remove(oldest, from: &state) }
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = entry
            state.entryCounts[entry.partition, default: 0] += 1
            state.idOfIdentity[entry.identity] = id
            for tag in entry.tags { state.idsOfTag[tag, default: []].insert(id) }
            state.recency.touch(id)
            let index: HNSWIndex<UInt64>
            if let existing = state.indexes[entry.partition] {
                index = existing
            } else {
                // Valid settings were checked in init, so this cannot fail.
                index = try! HNSWIndex<UInt64>(configuration: indexConfiguration)
                state.indexes[entry.partition] = index
            }
            return (id, index)
        }
        do {
            try index.insert(entry.vector, forKey: id)
        } catch {
            state.withLock { Self.remove(id, from: &$0) }
            throw .invalidInput("the vector cannot be indexed: \(error)")
        }
        // An eviction or replacement may have raced with the insert above: undo the index entry then.
        if state.withLock({ $0.entries[id] == nil }) { index.remove(id) }
    }

    /// Removes an entry from every structure (its index included); call with the state locked.
    private static func remove(_ id: UInt64, from state: inout State) {
        guard let entry = state.entries.removeValue(forKey: id) else { return }
        state.idOfIdentity[entry.identity] = nil
        for tag in entry.tags {
            state.idsOfTag[tag]?.remove(id)
            if state.idsOfTag[tag]?.isEmpty == true { state.idsOfTag[tag] = nil }
        }
        state.recency.remove(id)
        state.indexes[entry.partition]?.remove(id)
        let remaining = (state.entryCounts[entry.partition] ?? 1) - 1
        if remaining == 0 {
            state.entryCounts[entry.partition] = nil
            state.indexes[entry.partition] = nil
        } else {
            state.entryCounts[entry.partition] = remaining
        }
    }

    private func removeEntry(identity: CacheKey) {
        state.withLock { state in
            if let id = state.idOfIdentity[identity] { Self.remove(id, from: &state) }
        }
    }

    // MARK: Invalidation

    /// Removes every entry stored with `tag` (here and in the store); returns how many were here.
    ///
    /// - Throws: errors of the store, after the local entries were removed.
    @discardableResult
    public func invalidate(tag: String) async throws(CacheError) -> Int {
        let identities = state.withLock { state -> [CacheKey] in
            let ids = state.idsOfTag[tag] ?? []
            let identities = ids.compactMap { state.entries[$0]?.identity }
            for id in ids { Self.remove(id, from: &state) }
            return identities
        }
        if let store {
            for identity in identities { try await store.removeValue(forKey: storeKey(identity)) }
            // Entries other processes stored with this tag are found by scanning the store.
            for (key, record) in try await storedRecords(in: store) where record?.tags.contains(tag) == true {
                try await store.removeValue(forKey: key)
            }
        }
        return identities.count
    }

    /// Removes every entry held in this process (the store is left alone).
    public func removeAllLocal() {
        state.withLock { state in state = State(nextID: state.nextID) }
    }

    /// The number of entries held, expired ones not yet dropped included.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The number of partitions that hold entries.
    public var partitionCount: Int { state.withLock { $0.indexes.count } }

    // MARK: Helpers

    private func embed(_ text: String) async throws(CacheError) -> [Float] {
        guard !text.isEmpty else { throw .invalidInput("cannot look up or cache empty text") }
        let vectors: [[Float]]
        do {
            vectors = try await embedder.embed([text])
        } catch {
            throw .embeddingFailed(error)
        }
        guard vectors.count == 1 else {
            throw .embeddingFailed(LLMError(kind: .decoding, message: "the embedder returned \(vectors.count) vectors for one text"))
        }
        return vectors[0]
    }

    private func validate(_ vector: [Float]) throws(CacheError) {
        guard vector.count == embedder.dimensions else {
            throw .invalidInput("the embedding has \(vector.count) dimensions; the cache's embedder has \(embedder.dimensions)")
        }
        if let bad = vector.firstIndex(where: { !$0.isFinite }) {
            throw .invalidInput("the embedding has a non-finite value at index \(bad)")
        }
        guard vector.contains(where: { $0 != 0 }) else {
            throw .invalidInput("the embedding is all zeros, which has no direction to compare by cosine")
        }
    }

    static func identity(partition: CacheKey, text: String) -> CacheKey {
        CacheKey(hashing: partition.hex + "\n" + text)
    }

    func storeKey(_ identity: CacheKey) -> String { configuration.storeKeyPrefix + "entry:" + identity.hex }

    var currentNanoseconds: Int64 { clock.nanoseconds }

    /// Adds an entry read from a file or a store, unless it expired.
    func restore(_ record: SemanticCacheRecord<Value>, now: Int64, wallNow: Date) throws(CacheError) -> Bool {
        guard let partition = CacheKey(hex: record.partition) else {
            throw .corruptData("an entry's partition '\(record.partition)' is not a 64-digit hex key")
        }
        let vector = try record.decodedVector()
        try validate(vector)
        var expiresAt = Int64.max
        if let wallExpiry = record.expiresAt {
            let remaining = wallExpiry - wallNow.timeIntervalSince1970
            guard remaining > 0 else { return false }
            expiresAt = now + Int64(min(remaining, 9e9) * 1e9)
        }
        try insertLocally(Entry(
            partition: partition, identity: Self.identity(partition: partition, text: record.text), text: record.text,
            vector: vector, value: record.value, tags: Set(record.tags), expiresAt: expiresAt))
        return true
    }

    /// Every live entry, for saving.
    func liveEntries(now: Int64) -> [Entry] {
        state.withLock { state in state.entries.values.filter { $0.expiresAt > now } }
    }

    static func record(of entry: Entry, now: Int64) throws(CacheError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(SemanticCacheRecord(entry, now: now, wallNow: Date())))
        } catch {
            throw .invalidInput("the cached value cannot be encoded as JSON: \(error)")
        }
    }
}
