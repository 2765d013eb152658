import IndexFiles

/// Why a vector index refused an operation or a file.
public enum VectorIndexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A vector has the wrong number of components.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A vector has a NaN or infinite component at `index`.
    case nonFiniteComponent(index: Int)
    /// A cosine index was given a vector of zero length, which has no direction.
    case zeroVector
    /// The key is already in the index; use `update` to replace its vector.
    case duplicateKey(String)
    /// The key is not in the index.
    case keyNotFound(String)
    /// An argument is out of range (for example `k` ≤ 0).
    case invalidArgument(String)
    /// An index file could not be written or read; the file error says why.
    case file(IndexFileError)

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let actual):
            "the vector has \(actual) components but the index stores \(expected)-dimensional vectors"
        case .nonFiniteComponent(let index):
            "component \(index) of the vector is NaN or infinite; vectors must be finite"
        case .zeroVector:
            "a cosine index cannot store or search a zero vector (it has no direction)"
        case .duplicateKey(let key):
            "key \(key) is already in the index; call update(_:forKey:) to replace its vector"
        case .keyNotFound(let key):
            "key \(key) is not in the index"
        case .invalidArgument(let message):
            message
        case .file(let error):
            error.description
        }
    }
}
