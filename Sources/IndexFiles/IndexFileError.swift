/// Why an index file could not be written or read.
public enum IndexFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operating system refused a file operation.
    case io(String)
    /// The file does not start with the expected magic bytes: it is not this kind of index.
    case wrongFormat
    /// The file has a format version this library does not read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The file ends before all its data.
    case truncated(expectedBytes: Int, actualBytes: Int)
    /// The file's contents do not match its checksum.
    case checksumMismatch
    /// The file is well formed but inconsistent.
    case corrupt(String)
    /// The file stores keys of another type than the index being loaded.
    case keyTypeMismatch(expected: String, found: String)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .io(let message): "could not read or write the index file: \(message)"
        case .wrongFormat: "the file is not an index file of this kind (its magic bytes do not match)"
        case .unsupportedVersion(let found, let supported):
            "the file has format version \(found); this library reads version \(supported) — upgrade the library"
        case .truncated(let expected, let actual): "the file is truncated: it needs \(expected) bytes but has \(actual)"
        case .checksumMismatch: "the file is corrupted: its checksum does not match its contents"
        case .corrupt(let message): "the file is corrupted: \(message)"
        case .keyTypeMismatch(let expected, let found):
            "the file stores keys of type \(found), but the index being loaded uses \(expected)"
        }
    }
}
