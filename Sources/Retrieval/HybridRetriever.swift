import BM25
import HNSW
import LLMCore
import Synchronization

/// Finds documents by meaning and by words at once: an HNSW index over embeddings and a
/// BM25 index over the text, searched side by side and fused into one ranking.
///
/// ```swift
/// let retriever = try HybridRetriever(embedder: HashingEmbedder())
/// try await retriever.add([RetrievalDocument(id: "refunds#1", text: "Refunds take 5 days…", title: "Refunds")])
/// let hits = try await retriever.retrieve("how long does a refund take?")
/// ```
///
/// Metadata filters are applied inside both indexes while they search, so a filter never
/// costs a result slot. Searches run concurrently with each other; writes are serialised and
/// a search sees a document only once it is in both indexes.
public final class HybridRetriever: Sendable {
    /// How the two indexes are built.
    public struct Configuration: Sendable {
        /// HNSW links per node (see ``HNSWIndex/Configuration/m``).
        public var m: Int
        /// HNSW build-time candidate list size.
        public var efConstruction: Int
        /// HNSW search-time candidate list size (raised to the candidate count when smaller).
        public var efSearch: Int
        /// The analyzer of the keyword index.
        public var analyzer: any Analyzer
        /// How much more a title match weighs than a body match.
        public var titleBoost: Float
        /// BM25 term-frequency saturation.
        public var k1: Float
        /// BM25 length normalisation.
        public var b: Float
        /// How many texts go to the embedding model per call.
        public var embeddingBatchSize: Int

        /// Creates a configuration; the defaults suit collections up to a few million chunks.
        public init(
            m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, analyzer: any Analyzer = StandardAnalyzer(),
            titleBoost: Float = 2, k1: Float = 1.2, b: Float = 0.75, embeddingBatchSize: Int = 64
        ) {
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.analyzer = analyzer
            self.titleBoost = titleBoost
            self.k1 = k1
            self.b = b
            self.embeddingBatchSize = embeddingBatchSize
        }
    }

    static let bodyField = "text"
    private static let titleField = "title"

    /// The model that embeds documents and queries.
    public let embedder: any EmbeddingModel
    /// The configuration the retriever was created with.
    public let configuration: Configuration
    let vectors: HNSWIndex<String>
    let keywords: BM25Index<String>
    /// The documents searches may return, by id.
    let documents: Mutex<[String: RetrievalDocument]>
    /// Serialises writers, so the two indexes and the store change together.
    let writer = Mutex<Void>(())

    /// Creates an empty retriever.
    ///
    /// - Throws: ``RetrievalError/invalidArgument(_:)`` for a configuration out of range.
    public init(embedder: any EmbeddingModel, configuration: Configuration = Configuration()) throws(RetrievalError) {
        guard configuration.embeddingBatchSize > 0 else {
            throw .invalidArgument("embeddingBatchSize must be positive, got \(configuration.embeddingBatchSize)")
        }
        self.embedder = embedder
        self.configuration = configuration
        documents = Mutex([:])
        do {
            vectors = try HNSWIndex(configuration: .init(
                dimension: embedder.dimensions, metric: .cosine, m: configuration.m,
                efConstruction: configuration.efConstruction, efSearch: configuration.efSearch))
        } catch {
            throw .invalidArgument(error.description)
        }
        do {
            keywords = try BM25Index(
                analyzer: configuration.analyzer, k1: configuration.k1, b: configuration.b,
                fields: [.init(name: Self.bodyField), .init(name: Self.titleField, boost: configuration.titleBoost)])
        } catch {
            throw .invalidArgument(error.description)
        }
    }

    /// Creates a retriever from indexes and documents that belong together (a loaded save).
    init(
        embedder: any EmbeddingModel, configuration: Configuration, vectors: HNSWIndex<String>, keywords: BM25Index<String>,
        documents: [String: RetrievalDocument]
    ) {
        self.embedder = embedder
        self.configuration = configuration
        self.vectors = vectors
        self.keywords = keywords
        self.documents = Mutex(documents)
    }

    /// The number of documents.
    public var count: Int { documents.withLock { $0.count } }

    /// The document with this id, if present.
    public func document(id: String) -> RetrievalDocument? { documents.withLock { $0[id] } }

    // MARK: - Writing

    /// Adds documents, replacing any with the same id. The batch is embedded first and
    /// validated whole, so an error leaves the retriever unchanged.
    ///
    /// A document whose text has no searchable words (say, only punctuation) but does have an
    /// embedding is found by vector search only, and one with a zero embedding by keywords only.
    ///
    /// - Throws: ``RetrievalError/emptyDocument(id:)``, ``RetrievalError/duplicateID(_:)``,
    ///   ``RetrievalError/embedding(_:)`` when the model fails, ``RetrievalError/vectorIndex(_:)``
    ///   when it returns vectors of the wrong size or with NaNs.
    public func add(_ batch: [RetrievalDocument]) async throws(RetrievalError) {
        var seen = Set<String>()
        for document in batch {
            guard seen.insert(document.id).inserted else { throw .duplicateID(document.id) }
            guard !Self.isBlank(document.text) || !Self.isBlank(document.title ?? "") else {
                throw .emptyDocument(id: document.id)
            }
        }
        let embeddings = try await embed(batch.map(Self.embeddingText))
        var vectorItems: [(key: String, vector: [Float])] = []
        var keywordItems: [(key: String, fields: [String: String], metadata: [String: String])] = []
        for (document, vector) in zip(batch, embeddings) {
            let isZero = vector.allSatisfy { $0 == 0 }
            if !isZero { vectorItems.append((document.id, vector)) }
            var fields = [Self.bodyField: document.text]
            if let title = document.title { fields[Self.titleField] = title }
            let hasTerms = !configuration.analyzer.terms(in: document.text).isEmpty
                || !configuration.analyzer.terms(in: document.title ?? "").isEmpty
            if hasTerms { keywordItems.append((document.id, fields, document.metadata)) }
            if isZero && !hasTerms { throw .emptyDocument(id: document.id) }
        }
        try writer.withLock { _ throws(RetrievalError) in
            for document in batch {
                vectors.remove(document.id)
                keywords.remove(document.id)
            }
            do throws(VectorIndexError) { try vectors.insert(contentsOf: vectorItems) } catch { throw .vectorIndex(error) }
            do throws(BM25Error) { try keywords.add(contentsOf: keywordItems) } catch { throw .keywordIndex(error) }
            documents.withLock { store in
                for document in batch { store[document.id] = document }
            }
        }
    }

    /// Removes a document; returns whether it was present. Searches stop returning it at once.
    @discardableResult
    public func remove(id: String) -> Bool {
        writer.withLock { _ in
            let removed = documents.withLock { $0.removeValue(forKey: id) } != nil
            vectors.remove(id)
            keywords.remove(id)
            return removed
        }
    }

    // MARK: - Searching

    /// The documents that best answer `query`, best first.
    ///
    /// - Throws: ``RetrievalError/emptyQuery``, ``RetrievalError/invalidArgument(_:)`` for bad
    ///   options, ``RetrievalError/embedding(_:)`` when the model fails to embed the query.
    public func retrieve(_ query: String, options: RetrievalOptions = RetrievalOptions()) async throws(RetrievalError)
        -> [RetrievedDocument]
    {
        try options.validate()
        guard !Self.isBlank(query) else { throw .emptyQuery }
        let depth = max(options.candidates, options.limit)
        let queryVector = options.usesVectors ? try await embed([query])[0] : nil
        let store = documents.withLock { $0 }
        let admits: (String) -> Bool = { id in store[id].map { $0.matches(options.metadata) } ?? false }

        var vectorHits: [(id: String, score: Double)] = []
        var similarity: [String: Float] = [:]
        if let queryVector, queryVector.contains(where: { $0 != 0 }) {
            let found: [SearchResult<String>]
            do {
                found = try vectors.search(queryVector, k: depth, ef: max(configuration.efSearch, depth), filter: admits)
            } catch {
                throw .vectorIndex(error)
            }
            for hit in found {
                similarity[hit.key] = 1 - hit.distance
                vectorHits.append((hit.key, Double(1 - hit.distance)))
            }
        }
        var keywordHits: [(id: String, score: Double)] = []
        var keywordScore: [String: Float] = [:]
        if options.usesKeywords {
            let found: [BM25Result<String>]
            do {
                found = try keywords.search(query, k: depth, metadata: options.metadata, filter: { store[$0] != nil })
            } catch {
                throw .keywordIndex(error)
            }
            for hit in found {
                keywordScore[hit.key] = hit.score
                keywordHits.append((hit.key, Double(hit.score)))
            }
        }

        let fused = options.fusion.fuse(vector: vectorHits, keyword: keywordHits)
        let vectorRank = Dictionary(uniqueKeysWithValues: vectorHits.enumerated().map { ($1.id, $0 + 1) })
        let keywordRank = Dictionary(uniqueKeysWithValues: keywordHits.enumerated().map { ($1.id, $0 + 1) })
        var ranked: [RetrievedDocument] = fused.compactMap { id, score in
            guard let document = store[id] else { return nil }
            return RetrievedDocument(
                document: document, score: score, vectorRank: vectorRank[id], vectorSimilarity: similarity[id],
                keywordRank: keywordRank[id], keywordScore: keywordScore[id])
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.document.id < $1.document.id }
        guard let lambda = options.diversity, ranked.count > 1 else { return Array(ranked.prefix(options.limit)) }
        return diversify(ranked, limit: options.limit, lambda: lambda)
    }

    /// Re-ranks by maximal marginal relevance over the stored (normalised) document vectors.
    private func diversify(_ ranked: [RetrievedDocument], limit: Int, lambda: Double) -> [RetrievedDocument] {
        let embeddings = ranked.map { vectors.vector(forKey: $0.document.id) }
        let best = ranked[0].score
        let relevance = ranked.map { best > 0 ? $0.score / best : 0 }
        let order = MaximalMarginalRelevance.select(count: limit, relevance: relevance, lambda: lambda) { i, j in
            guard let a = embeddings[i], let b = embeddings[j] else { return 0 }
            return Double(1 - DistanceMetric.innerProduct.distance(between: a, and: b))
        }
        return order.map { ranked[$0] }
    }

    // MARK: - Helpers

    private func embed(_ texts: [String]) async throws(RetrievalError) -> [[Float]] {
        var result: [[Float]] = []
        result.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let slice = Array(texts[start..<min(start + configuration.embeddingBatchSize, texts.count)])
            let vectors: [[Float]]
            do { vectors = try await embedder.embed(slice) } catch { throw .embedding(error) }
            guard vectors.count == slice.count else {
                throw .embedding(LLMError(
                    kind: .decoding, message: "the embedding model returned \(vectors.count) vectors for \(slice.count) texts"))
            }
            for vector in vectors {
                guard vector.count == embedder.dimensions else {
                    throw .vectorIndex(.dimensionMismatch(expected: embedder.dimensions, actual: vector.count))
                }
                if let index = vector.firstIndex(where: { !$0.isFinite }) { throw .vectorIndex(.nonFiniteComponent(index: index)) }
            }
            result += vectors
            start += slice.count
        }
        return result
    }

    private static func embeddingText(_ document: RetrievalDocument) -> String {
        guard let title = document.title, !isBlank(title) else { return document.text }
        return title + "\n\n" + document.text
    }

    private static func isBlank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }
}
