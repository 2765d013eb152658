/// A reply from Redis (RESP2).
public enum RedisValue: Sendable, Hashable {
    /// A status reply such as `OK`.
    case simpleString(String)
    /// An error reply such as `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string reply: binary-safe bytes.
    case bulkString([UInt8])
    /// An array reply.
    case array([RedisValue])
    /// The null bulk string or null array: "no value".
    case null

    /// The bytes of a bulk or simple string, `nil` otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The reply as UTF-8 text, for bulk and simple strings.
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The integer of an integer reply.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
