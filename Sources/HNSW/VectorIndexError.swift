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
    /// A file could not be read or written.
    case io(String)
    /// The file is not an index file of this kind.
    case notAnIndexFile
    /// The file was written by a newer, unknown format version.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The file ends before all its data.
    case truncatedFile(expectedBytes: Int, actualBytes: Int)
    /// The file's contents do not match its checksum: it was corrupted.
    case checksumMismatch
    /// The file is well formed but inconsistent (a link points outside the index, for example).
    case corruptFile(String)
    /// The file holds keys of another type than the index being loaded.
    case keyTypeMismatch(expected: String, found: String)

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
        case .io(let message):
            "could not read or write the index file: \(message)"
        case .notAnIndexFile:
            "the file is not an index file of this kind (its magic bytes do not match)"
        case .unsupportedVersion(let found, let supported):
            "the file has format version \(found); this library reads version \(supported) — upgrade the library"
        case .truncatedFile(let expected, let actual):
            "the file is truncated: it needs \(expected) bytes but has \(actual)"
        case .checksumMismatch:
            "the file is corrupted: its checksum does not match its contents"
        case .corruptFile(let message):
            "the file is corrupted: \(message)"
        case .keyTypeMismatch(let expected, let found):
            "the file stores keys of type \(found), but the index being loaded uses \(expected)"
        }
    }
}
