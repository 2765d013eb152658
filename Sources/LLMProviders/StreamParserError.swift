/// A stream that cannot be parsed safely.
public enum StreamParserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A line grew past the parser's limit without ending: the peer is not sending the format
    /// it claims, or is trying to exhaust memory.
    case lineTooLong(limit: Int)

    /// What went wrong.
    public var description: String {
        switch self {
        case .lineTooLong(let limit): "a stream line exceeded \(limit) bytes without ending"
        }
    }
}
