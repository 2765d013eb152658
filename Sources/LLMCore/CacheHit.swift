/// How a response came out of a response cache rather than from a model.
public struct CacheHit: Sendable, Hashable, Codable {
    /// Which kind of cache answered.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The same request was answered before.
        case exact
        /// A similar enough question was answered before.
        case semantic
    }

    /// Which kind of cache answered.
    public var kind: Kind
    /// For a semantic hit, the cosine similarity between the question and the cached one (−1 to 1).
    public var similarity: Double?
    /// For a semantic hit, the cached question that matched.
    public var matchedText: String?

    /// Creates a cache-hit marker.
    public init(kind: Kind, similarity: Double? = nil, matchedText: String? = nil) {
        self.kind = kind
        self.similarity = similarity
        self.matchedText = matchedText
    }
}
