/// What went wrong talking to Redis, with what to do about it.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No connection could be made: nothing listens there, the name does not resolve, or the
    /// connection timed out.
    case connectionFailed(String)
    /// The server did not answer within the command timeout.
    case timeout(String)
    /// The server closed the connection (it restarted, or dropped this client).
    case connectionClosed(String)
    /// The server answered with an error reply (wrong password, wrong type, unknown command…).
    case server(String)
    /// The server sent bytes that are not RESP.
    case protocolViolation(String)

    /// The message, with a hint where one helps.
    public var description: String {
        switch self {
        case .connectionFailed(let message): "cannot connect to Redis: \(message) (is redis-server running there?)"
        case .timeout(let message): "Redis did not answer in time: \(message)"
        case .connectionClosed(let message): "Redis closed the connection: \(message)"
        case .server(let message): "Redis error: \(message)"
        case .protocolViolation(let message): "not a Redis reply: \(message)"
        }
    }
}
