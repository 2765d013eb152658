import LLMCore
import Retrieval
import Testing

private func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

@Suite("HashingEmbedder")
struct HashingEmbedderTests {
    let embedder = try! HashingEmbedder()

    @Test("vectors are unit length, deterministic and of the configured size")
    func shape() async throws {
        let vectors = try await embedder.embed(["Refunds are issued within five days.", "Refunds are issued within five days."])
        #expect(vectors.count == 2 && vectors[0].count == 768)
        #expect(abs(cosine(vectors[0], vectors[0]) - 1) < 1e-5)
        #expect(vectors[0] == vectors[1])
        // Fixed hash, not Swift's per-process seeded Hasher: this component is the same in every run.
        #expect(vectors[0] == embedder.embedding(of: "Refunds are issued within five days."))
    }

    @Test("texts without words embed to zero")
    func zero() {
        for text in ["", "   ", "?!…", "the and of"] { #expect(embedder.embedding(of: text).allSatisfy { $0 == 0 }) }
    }

    @Test("shared words and word forms score above unrelated text")
    func similarity() {
        let query = embedder.embedding(of: "how do I get a refund for my order")
        let related = embedder.embedding(of: "Refunds for orders are processed in five days")
        let inflected = embedder.embedding(of: "we refunded the ordered items")
        let unrelated = embedder.embedding(of: "the weather in Lisbon is sunny today")
        // Two of the query's seven content words are shared; the rest is hashing noise (about 1/√768).
        #expect(cosine(query, related) > 0.2)
        #expect(cosine(query, inflected) > 0.2)
        #expect(abs(cosine(query, unrelated)) < 0.1)
        let typo = embedder.embedding(of: "refnud")
        #expect(cosine(typo, embedder.embedding(of: "refund")) > cosine(typo, embedder.embedding(of: "weather")))
    }

    @Test("invalid settings are refused")
    func invalid() {
        #expect(throws: LLMError.self) { try HashingEmbedder(dimensions: 0) }
        #expect(throws: LLMError.self) { try HashingEmbedder(characterNGramLengths: 0...2) }
        #expect(throws: LLMError.self) { try HashingEmbedder(wordPairWeight: -1) }
    }
}
