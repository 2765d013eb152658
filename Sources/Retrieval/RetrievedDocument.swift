/// One result of a hybrid search, with the evidence behind its place.
public struct RetrievedDocument: Sendable, Hashable {
    /// The document found.
    public var document: RetrievalDocument
    /// The fused score the ranking is by (higher is better). Its scale depends on the
    /// ``FusionMethod``: at most 2 / (k + 1) for reciprocal rank fusion, at most 1 for weighted fusion.
    public var score: Double
    /// The document's 1-based rank in the vector results, if it was among them.
    public var vectorRank: Int?
    /// The cosine similarity of the document to the query (−1…1), if it was among the vector results.
    public var vectorSimilarity: Float?
    /// The document's 1-based rank in the keyword results, if it was among them.
    public var keywordRank: Int?
    /// The document's BM25 score, if it was among the keyword results.
    public var keywordScore: Float?

    /// Creates a result.
    public init(
        document: RetrievalDocument, score: Double, vectorRank: Int? = nil, vectorSimilarity: Float? = nil,
        keywordRank: Int? = nil, keywordScore: Float? = nil
    ) {
        self.document = document
        self.score = score
        self.vectorRank = vectorRank
        self.vectorSimilarity = vectorSimilarity
        self.keywordRank = keywordRank
        self.keywordScore = keywordScore
    }
}
