import BM25
import HNSW
import LLMCore

/// Why the retriever refused a document or a query.
public enum RetrievalError: Error, Sendable, CustomStringConvertible {
    /// A document's text (and title) is empty or only whitespace; there is nothing to find it by.
    case emptyDocument(id: String)
    /// Two documents in one batch share an id.
    case duplicateID(String)
    /// The query is empty or only whitespace.
    case emptyQuery
    /// An argument is out of range (for example a limit ≤ 0).
    case invalidArgument(String)
    /// The embedding model failed; its error says whether retrying can help.
    case embedding(LLMError)
    /// The embedding model returned the wrong number of vectors or a vector the index refuses.
    case vectorIndex(VectorIndexError)
    /// The keyword index refused the operation.
    case keywordIndex(BM25Error)
    /// A saved retriever could not be written or read: missing, truncated or damaged files, or
    /// files made with another embedding size. Rebuild it from the documents.
    case storage(String)

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .emptyDocument(let id):
            "document \(id) has no text; give it text or leave it out"
        case .duplicateID(let id):
            "document id \(id) appears twice in one batch; ids must be unique"
        case .emptyQuery:
            "the query is empty; pass the user's question"
        case .invalidArgument(let message):
            message
        case .embedding(let error):
            "the embedding model failed: \(error)"
        case .vectorIndex(let error):
            "the vector index refused an embedding: \(error)"
        case .keywordIndex(let error):
            "the keyword index refused the operation: \(error)"
        case .storage(let message):
            "the saved retriever cannot be used: \(message); rebuild it from the documents"
        }
    }
}
