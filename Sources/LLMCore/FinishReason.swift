/// Why the model stopped producing output.
///
/// Encoded as a string (`"stop"`, `"length"`, `"tool_calls"`, `"content_filter"`,
/// `"error"`); any other string decodes to ``other(_:)`` rather than failing, so a
/// provider that invents a new reason does not break a client.
public enum FinishReason: Sendable, Hashable {
    /// The model finished, or hit a stop sequence.
    case stop
    /// The output reached the token limit; the answer is truncated.
    case length
    /// The model is waiting for the results of the tool calls it made.
    case toolCalls
    /// The provider withheld or cut the output for policy reasons.
    case contentFilter
    /// The provider reported an error while generating.
    case error
    /// A reason this package does not know, as the provider spelled it.
    case other(String)

    /// Creates a reason from its canonical name; unknown names become ``other(_:)``.
    public init(rawValue: String) {
        switch rawValue {
        case "stop": self = .stop
        case "length": self = .length
        case "tool_calls": self = .toolCalls
        case "content_filter": self = .contentFilter
        case "error": self = .error
        default: self = .other(rawValue)
        }
    }

    /// The canonical name.
    public var rawValue: String {
        switch self {
        case .stop: "stop"
        case .length: "length"
        case .toolCalls: "tool_calls"
        case .contentFilter: "content_filter"
        case .error: "error"
        case .other(let raw): raw
        }
    }
}

extension FinishReason: Codable {
    /// Decodes a reason from a string; unknown strings become ``other(_:)``.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the reason as its string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
