/// One neighbour found by a search: its key and its distance to the query (smaller is closer).
public struct SearchResult<Key: Hashable & Sendable>: Sendable, Hashable {
    /// The key the vector was stored under.
    public var key: Key
    /// The distance to the query under the index's metric.
    public var distance: Float

    /// Creates a result.
    public init(key: Key, distance: Float) {
        self.key = key
        self.distance = distance
    }
}
