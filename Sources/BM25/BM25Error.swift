import IndexFiles

/// Why a keyword index refused an operation or a file.
public enum BM25Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key is already in the index; use `update` to replace its document.
    case duplicateKey(String)
    /// The key is not in the index.
    case keyNotFound(String)
    /// The document has no searchable words (it is empty, or only punctuation and stopwords).
    case noTerms(key: String)
    /// The document names a field the index was not configured with.
    case unknownField(String)
    /// An argument is out of range (for example `k` ≤ 0, or a negative `k1`).
    case invalidArgument(String)
    /// The index file was built with a different analyzer than the one given to load it.
    case analyzerMismatch(expected: String, found: String)
    /// An index file could not be written or read; the file error says why.
    case file(IndexFileError)

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .duplicateKey(let key): "document \(key) is already in the index; call update to replace it"
        case .keyNotFound(let key): "document \(key) is not in the index"
        case .noTerms(let key): "document \(key) has no searchable words (it is empty or only stopwords and punctuation)"
        case .unknownField(let field): "the index has no field named '\(field)'; configure it when creating the index"
        case .invalidArgument(let message): message
        case .analyzerMismatch(let expected, let found):
            "the file was indexed with analyzer \(found) but is being loaded with \(expected); load it with the same analyzer"
        case .file(let error): error.description
        }
    }
}
