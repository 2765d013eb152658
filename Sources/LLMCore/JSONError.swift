/// Why JSON text could not be read or written.
public enum JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not valid JSON at the given position (1-based line and column, 0-based byte offset).
    case syntax(message: String, line: Int, column: Int, byteOffset: Int)
    /// The bytes are not valid UTF-8; the offset is the first byte of the bad sequence.
    case invalidUTF8(byteOffset: Int)
    /// Arrays and objects nest deeper than the parser's limit (a guard against stack exhaustion).
    case nestingTooDeep(limit: Int, line: Int, column: Int)
    /// A double at `path` is NaN or infinite, which JSON cannot express.
    case nonFiniteNumber(path: String)

    /// A sentence saying what went wrong and where.
    public var description: String {
        switch self {
        case .syntax(let message, let line, let column, let offset):
            return "invalid JSON at line \(line), column \(column) (byte \(offset)): \(message)"
        case .invalidUTF8(let offset):
            return "invalid JSON: the input is not valid UTF-8 at byte \(offset)"
        case .nestingTooDeep(let limit, let line, let column):
            return "invalid JSON at line \(line), column \(column): arrays and objects nest deeper than \(limit) levels"
        case .nonFiniteNumber(let path):
            return "cannot write JSON: the number at \(path) is NaN or infinite; replace it with null or a string"
        }
    }
}
