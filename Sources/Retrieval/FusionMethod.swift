/// How the vector and keyword result lists are merged into one ranking.
public enum FusionMethod: Sendable, Hashable {
    /// Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): a document scores
    /// Σ 1 / (`k` + rank) over the lists it appears in (ranks from 1). It needs no score
    /// calibration, which is why it is the default; `k` = 60 is the paper's value.
    case reciprocalRank(k: Int = 60)
    /// A convex combination of scores min-max normalised within each list:
    /// `vectorWeight` × vector + (1 − `vectorWeight`) × keyword, a document absent from a list
    /// contributing 0 there. Use it when one signal deserves more trust than the other.
    case weighted(vectorWeight: Double = 0.5)

    /// The default: reciprocal rank fusion with k = 60.
    public static var `default`: FusionMethod { .reciprocalRank() }

    func validate() throws(RetrievalError) {
        switch self {
        case .reciprocalRank(let k):
            guard k >= 0 else { throw .invalidArgument("the reciprocal-rank constant k must be ≥ 0, got \(k)") }
        case .weighted(let weight):
            guard weight.isFinite, (0...1).contains(weight) else {
                throw .invalidArgument("vectorWeight must be between 0 and 1, got \(weight)")
            }
        }
    }

    /// Fuses two ranked lists of (id, score), best first, into scores per id.
    func fuse(vector: [(id: String, score: Double)], keyword: [(id: String, score: Double)]) -> [String: Double] {
        var fused: [String: Double] = [:]
        switch self {
        case .reciprocalRank(let k):
            for (rank, hit) in vector.enumerated() { fused[hit.id, default: 0] += 1 / Double(k + rank + 1) }
            for (rank, hit) in keyword.enumerated() { fused[hit.id, default: 0] += 1 / Double(k + rank + 1) }
        case .weighted(let weight):
            for (id, score) in Self.normalised(vector) { fused[id, default: 0] += weight * score }
            for (id, score) in Self.normalised(keyword) { fused[id, default: 0] += (1 - weight) * score }
        }
        return fused
    }

    /// Min-max normalisation to [0, 1]; a list whose scores are all equal maps to 1.
    private static func normalised(_ list: [(id: String, score: Double)]) -> [(String, Double)] {
        guard let low = list.map(\.score).min(), let high = list.map(\.score).max() else { return [] }
        let range = high - low
        return list.map { ($0.id, range > 0 ? ($0.score - low) / range : 1) }
    }
}
