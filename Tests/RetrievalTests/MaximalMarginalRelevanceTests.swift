import Retrieval
import Testing

@Suite("MaximalMarginalRelevance")
struct MaximalMarginalRelevanceTests {
    @Test("λ = 1 is relevance order; λ < 1 penalises similarity to earlier picks")
    func selection() {
        let relevance = [0.9, 1.0, 0.8, 0.3]
        // 1 and 0 are near-duplicates; 2 is distinct; 3 is distinct but weak.
        let similarity: (Int, Int) -> Double = { i, j in Set([i, j]) == [0, 1] ? 0.95 : 0.1 }
        #expect(MaximalMarginalRelevance.select(count: 4, relevance: relevance, lambda: 1, similarity: similarity) == [1, 0, 2, 3])
        #expect(MaximalMarginalRelevance.select(count: 3, relevance: relevance, lambda: 0.5, similarity: similarity) == [1, 2, 3])
        #expect(MaximalMarginalRelevance.select(count: 10, relevance: [], lambda: 0.5, similarity: similarity).isEmpty)
        #expect(MaximalMarginalRelevance.select(count: 2, relevance: [.nan, .nan], lambda: 0.5, similarity: similarity).count == 2)
    }
}
