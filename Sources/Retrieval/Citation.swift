/// One numbered source in a ``RetrievalContext``.
public struct Citation: Sendable, Hashable {
    /// The number the context shows, from 1.
    public var number: Int
    /// The document it points to.
    public var document: RetrievalDocument
    /// Where the rendered document sits in ``RetrievalContext/text``, in UTF-8 bytes.
    public var utf8Range: Range<Int>

    /// The marker an answer uses to cite it, `[number]`.
    public var marker: String { "[\(number)]" }

    /// Creates a citation.
    public init(number: Int, document: RetrievalDocument, utf8Range: Range<Int>) {
        self.number = number
        self.document = document
        self.utf8Range = utf8Range
    }
}
