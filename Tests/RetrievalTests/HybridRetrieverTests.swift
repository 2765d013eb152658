import LLMTesting
import BM25
import LLMCore
import Retrieval
import Testing

/// An embedder that returns whatever vectors the test wants, or fails.
struct StubEmbedder: EmbeddingModel {
    let dimensions: Int
    var vectorOf: @Sendable (String) -> [Float]
    var failure: LLMError? = nil

    func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        if let failure { throw failure }
        return texts.map(vectorOf)
    }
}

private let topics = ["billing", "shipping", "returns", "accounts", "security"]
private let words = ["invoice", "parcel", "refund", "password", "login", "courier", "charge", "label", "token", "card"]

/// A small seeded corpus whose documents carry a topic and a language tag.
private func corpus(count: Int, seed: UInt64) -> [RetrievalDocument] {
    var random = SeededRandomNumberGenerator(seed: seed)
    return (0..<count).map { index in
        let text = (0..<12).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
        return RetrievalDocument(
            id: "doc\(index)", text: text, title: index % 3 == 0 ? "note \(index)" : nil,
            metadata: ["topic": topics[index % topics.count], "lang": index % 2 == 0 ? "en" : "de"])
    }
}


@Suite("HybridRetriever")
struct HybridRetrieverTests {
    let embedder = try! HashingEmbedder(dimensions: 256)

    @Test("a reciprocal-rank result is exactly the fusion of the two single-index rankings")
    func rrfMatchesManualFusion() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(corpus(count: 120, seed: 7))
        let query = "refund for a charge on my card"
        let vectorOnly = try await retriever.retrieve(query, options: .init(limit: 30, candidates: 30, usesKeywords: false))
        let keywordOnly = try await retriever.retrieve(query, options: .init(limit: 30, candidates: 30, usesVectors: false))
        var expected: [String: Double] = [:]
        for (rank, hit) in vectorOnly.enumerated() { expected[hit.document.id, default: 0] += 1 / Double(60 + rank + 1) }
        for (rank, hit) in keywordOnly.enumerated() { expected[hit.document.id, default: 0] += 1 / Double(60 + rank + 1) }
        let fused = try await retriever.retrieve(query, options: .init(limit: 10, candidates: 30))
        let best = expected.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        #expect(fused.map(\.document.id) == best.map(\.key))
        for (hit, (_, score)) in zip(fused, best) { #expect(abs(hit.score - score) < 1e-12) }
        #expect(fused.allSatisfy { $0.vectorRank != nil || $0.keywordRank != nil })
    }

    @Test("weighted fusion with weight 1 or 0 reproduces the single-index order")
    func weightedFusionExtremes() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(corpus(count: 80, seed: 3))
        let query = "parcel courier label"
        let keywordOnly = try await retriever.retrieve(query, options: .init(limit: 5, usesVectors: false))
        let keywordWeighted = try await retriever.retrieve(query, options: .init(limit: 5, fusion: .weighted(vectorWeight: 0)))
        // Compared by score, since documents with equal scores may be ordered differently.
        #expect(keywordWeighted.map(\.keywordScore) == keywordOnly.map(\.keywordScore))
        let vectorOnly = try await retriever.retrieve(query, options: .init(limit: 5, usesKeywords: false))
        let vectorWeighted = try await retriever.retrieve(query, options: .init(limit: 5, fusion: .weighted(vectorWeight: 1)))
        #expect(vectorWeighted.map(\.vectorSimilarity) == vectorOnly.map(\.vectorSimilarity))
        #expect(vectorWeighted.first?.score == 1)
    }

    @Test("metadata filters never leak and never cost a result slot", arguments: [("topic", "returns"), ("lang", "de")])
    func filtersInsideBothIndexes(name: String, value: String) async throws {
        let documents = corpus(count: 200, seed: 11)
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(documents)
        let matching = documents.filter { $0.metadata[name] == value }
        for query in ["invoice charge", "password login token", "refund parcel"] {
            for fusion in [FusionMethod.reciprocalRank(), .weighted()] {
                let hits = try await retriever.retrieve(
                    query, options: .init(limit: 10, candidates: 10, fusion: fusion, metadata: [name: value]))
                #expect(hits.allSatisfy { $0.document.metadata[name] == value })
                #expect(hits.count == min(10, matching.count))
            }
        }
    }

    @Test("remove and re-add: a removed document is never returned, a replaced one is found by its new text")
    func removeAndReplace() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(corpus(count: 50, seed: 5))
        try await retriever.add([RetrievalDocument(id: "special", text: "the zeppelin timetable for airships")])
        #expect(try await retriever.retrieve("zeppelin airships").first?.document.id == "special")
        try await retriever.add([RetrievalDocument(id: "special", text: "a gazebo in the garden")])
        #expect(retriever.count == 51)
        #expect(try await retriever.retrieve("zeppelin airships", options: .init(usesVectors: false)).isEmpty)
        #expect(try await retriever.retrieve("gazebo garden").first?.document.id == "special")
        #expect(retriever.remove(id: "special"))
        #expect(!retriever.remove(id: "special"))
        let after = try await retriever.retrieve("gazebo garden", options: .init(limit: 50))
        #expect(!after.contains { $0.document.id == "special" })
        #expect(retriever.document(id: "special") == nil)
    }

    @Test("bad input gets typed errors and leaves the retriever unchanged")
    func badInput() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add([RetrievalDocument(id: "a", text: "alpha document")])
        await #expect(throws: RetrievalError.self) { try await retriever.add([RetrievalDocument(id: "b", text: "  \n")]) }
        await #expect(throws: RetrievalError.self) { try await retriever.add([RetrievalDocument(id: "c", text: "!!! ...")]) }
        await #expect(throws: RetrievalError.self) {
            try await retriever.add([RetrievalDocument(id: "d", text: "one"), RetrievalDocument(id: "d", text: "two")])
        }
        await #expect(throws: RetrievalError.self) { try await retriever.retrieve("   ") }
        await #expect(throws: RetrievalError.self) { try await retriever.retrieve("alpha", options: .init(limit: 0)) }
        await #expect(throws: RetrievalError.self) { try await retriever.retrieve("alpha", options: .init(diversity: 1.5)) }
        await #expect(throws: RetrievalError.self) {
            try await retriever.retrieve("alpha", options: .init(fusion: .weighted(vectorWeight: .nan)))
        }
        #expect(retriever.count == 1)

        let wrongSize = StubEmbedder(dimensions: 4, vectorOf: { _ in [1, 2, 3] })
        let sized = try HybridRetriever(embedder: wrongSize)
        await #expect(throws: RetrievalError.self) { try await sized.add([RetrievalDocument(id: "x", text: "words here")]) }
        #expect(sized.count == 0)

        let nan = StubEmbedder(dimensions: 2, vectorOf: { _ in [1, .nan] })
        await #expect(throws: RetrievalError.self) {
            try await HybridRetriever(embedder: nan).add([RetrievalDocument(id: "x", text: "words here")])
        }

        let failing = StubEmbedder(dimensions: 2, vectorOf: { _ in [1, 0] }, failure: LLMError(kind: .overloaded, message: "busy"))
        do {
            try await HybridRetriever(embedder: failing).add([RetrievalDocument(id: "x", text: "words")])
            Issue.record("expected the embedding failure to surface")
        } catch {
            guard case .embedding(let cause) = error else { Issue.record("wrong error \(error)"); return }
            #expect(cause.kind == .overloaded && cause.isRetryable)
        }
    }

    @Test("a document with a zero embedding is found by keywords; one without words by its vector")
    func singleIndexDocuments() async throws {
        let embedder = StubEmbedder(dimensions: 2, vectorOf: { $0.contains("zero") ? [0, 0] : [1, 0.5] })
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add([
            RetrievalDocument(id: "zero", text: "zero vector words"), RetrievalDocument(id: "symbols", text: "?!"),
        ])
        #expect(try await retriever.retrieve("vector words").map(\.document.id).contains("zero"))
        let byVector = try await retriever.retrieve("anything", options: .init(usesKeywords: false))
        #expect(byVector.map(\.document.id) == ["symbols"])
        #expect(abs((byVector[0].vectorSimilarity ?? 0) - 1) < 1e-5)
    }

    @Test("maximal marginal relevance puts a distinct document ahead of near-duplicates")
    func diversity() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        var documents = (0..<4).map { RetrievalDocument(id: "dup\($0)", text: "reset your password from the login page settings") }
        documents.append(RetrievalDocument(id: "other", text: "password reset emails can take ten minutes to arrive"))
        try await retriever.add(documents)
        let plain = try await retriever.retrieve("reset password login", options: .init(limit: 3))
        #expect(plain.prefix(3).allSatisfy { $0.document.id.hasPrefix("dup") })
        let diverse = try await retriever.retrieve("reset password login", options: .init(limit: 3, diversity: 0.5))
        #expect(diverse[0].document.id.hasPrefix("dup"))
        #expect(diverse[1].document.id == "other")
    }

    @Test("concurrent searches during writes only ever see whole documents")
    func concurrentReadsAndWrites() async throws {
        let retriever = try HybridRetriever(embedder: embedder)
        try await retriever.add(corpus(count: 60, seed: 9))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<20 {
                    try await retriever.add([RetrievalDocument(id: "live\(round)", text: "invoice refund \(round)")])
                    if round % 2 == 0 { retriever.remove(id: "live\(round)") }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<20 {
                        let hits = try await retriever.retrieve("invoice refund", options: .init(limit: 20))
                        #expect(Set(hits.map(\.document.id)).count == hits.count)
                        #expect(hits.allSatisfy { !$0.document.text.isEmpty })
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(retriever.count == 70)
    }
}
