/// A piece of text the retriever can find: usually one chunk of a larger source.
public struct RetrievalDocument: Sendable, Hashable, Codable {
    /// The caller's identifier, unique within one retriever; citations point back to it.
    public var id: String
    /// The searchable text.
    public var text: String
    /// An optional title, searched as its own keyword field (boosted, see ``HybridRetriever/Configuration/titleBoost``).
    public var title: String?
    /// Exact-match attributes (for example `"product": "router"`) that searches can filter on.
    public var metadata: [String: String]

    /// Creates a document.
    public init(id: String, text: String, title: String? = nil, metadata: [String: String] = [:]) {
        self.id = id
        self.text = text
        self.title = title
        self.metadata = metadata
    }

    /// Whether the document has every key-value pair of `filter`.
    func matches(_ filter: [String: String]) -> Bool {
        filter.allSatisfy { metadata[$0.key] == $0.value }
    }
}
