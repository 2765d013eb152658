/// What one hybrid search asks for.
public struct RetrievalOptions: Sendable {
    /// How many documents to return at most.
    public var limit: Int
    /// How many candidates to take from each index before fusing (at least `limit`).
    /// More candidates let fusion and diversity reach further down each list, at some cost.
    public var candidates: Int
    /// How the two lists are merged.
    public var fusion: FusionMethod
    /// Only documents whose metadata has all these key-value pairs are considered; the filter
    /// runs inside both indexes, so it never costs a result slot.
    public var metadata: [String: String]
    /// When set, results are re-ranked by maximal marginal relevance with this λ in 0…1:
    /// 1 is pure relevance, 0 pure novelty; 0.5–0.7 removes near-duplicates while staying on topic.
    public var diversity: Double?
    /// Whether to search the vector index (needs an embedding of the query).
    public var usesVectors: Bool
    /// Whether to search the keyword index.
    public var usesKeywords: Bool

    /// Creates options; the defaults are 5 results from 50 candidates per index, fused by RRF (k = 60).
    public init(
        limit: Int = 5, candidates: Int = 50, fusion: FusionMethod = .default, metadata: [String: String] = [:],
        diversity: Double? = nil, usesVectors: Bool = true, usesKeywords: Bool = true
    ) {
        self.limit = limit
        self.candidates = candidates
        self.fusion = fusion
        self.metadata = metadata
        self.diversity = diversity
        self.usesVectors = usesVectors
        self.usesKeywords = usesKeywords
    }

    func validate() throws(RetrievalError) {
        guard limit > 0 else { throw .invalidArgument("limit must be positive, got \(limit)") }
        guard candidates > 0 else { throw .invalidArgument("candidates must be positive, got \(candidates)") }
        guard usesVectors || usesKeywords else { throw .invalidArgument("search at least one of the two indexes") }
        if let diversity, !(diversity.isFinite && (0...1).contains(diversity)) {
            throw .invalidArgument("diversity (MMR λ) must be between 0 and 1, got \(diversity)")
        }
        try fusion.validate()
    }
}
