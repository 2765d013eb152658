/// What a ``SemanticCache`` lookup found.
public struct SemanticCacheHit<Value: Sendable>: Sendable {
    /// The cached value.
    public var value: Value
    /// The cosine similarity between the lookup text and the cached text, at least the threshold.
    public var similarity: Double
    /// The text the value was cached for.
    public var matchedText: String
    /// The tags the entry was stored with.
    public var tags: Set<String>
}
