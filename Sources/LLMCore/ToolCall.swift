/// A call the model asked for: which tool, with which arguments.
///
/// The arguments are kept both as the exact JSON text the model produced
/// (``argumentsText``) and parsed (``arguments``). A `ToolCall` always holds
/// valid JSON: creating one from text that is not JSON fails.
public struct ToolCall: Sendable, Hashable {
    /// The provider's id for this call; a tool result answers it by this id.
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments as the model wrote them.
    public private(set) var argumentsText: String
    /// The arguments, parsed.
    public private(set) var arguments: JSONValue

    /// Creates a call from the model's argument text.
    ///
    /// Empty or all-whitespace text (which some providers send for tools without
    /// parameters) means an empty object.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/decoding`` if the text is not JSON.
    public init(id: String, name: String, argumentsText: String) throws(LLMError) {
        self.id = id
        self.name = name
        if argumentsText.allSatisfy(\.isWhitespace) {
            self.argumentsText = "{}"
            self.arguments = .object([:])
            return
        }
        do {
            self.arguments = try JSONValue(parsing: argumentsText)
        } catch {
            throw LLMError(
                kind: .decoding,
                message: "the arguments of tool call '\(id)' (\(name)) are not valid JSON: \(error)")
        }
        self.argumentsText = argumentsText
    }

    /// Creates a call from parsed arguments.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/decoding`` if an argument is a non-finite double.
    public init(id: String, name: String, arguments: JSONValue) throws(LLMError) {
        self.id = id
        self.name = name
        self.arguments = arguments
        do {
            self.argumentsText = try arguments.serialized()
        } catch {
            throw LLMError(kind: .decoding, message: "the arguments of tool call '\(id)' (\(name)): \(error)")
        }
    }
}

extension ToolCall: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, name, arguments
    }

    /// Decodes `{"id", "name", "arguments"}` where `arguments` is JSON text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .arguments)
        do {
            try self.init(
                id: container.decode(String.self, forKey: .id),
                name: container.decode(String.self, forKey: .name),
                argumentsText: text)
        } catch let error as LLMError {
            throw DecodingError.dataCorruptedError(forKey: .arguments, in: container, debugDescription: error.message)
        }
    }

    /// Encodes the call with its arguments as JSON text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(argumentsText, forKey: .arguments)
    }
}
