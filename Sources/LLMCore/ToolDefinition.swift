/// A function the model may call.
public struct ToolDefinition: Sendable, Hashable, Codable {
    /// The name the model uses to call the tool. Providers accept letters, digits, `_` and `-`, up to 64 characters.
    public var name: String
    /// What the tool does and when to use it; the model reads this.
    public var description: String
    /// A JSON Schema object describing the arguments.
    public var parameters: JSONValue

    /// Creates a tool definition; `parameters` defaults to an object schema with no properties.
    public init(name: String, description: String, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// Whether `name` is one every major provider accepts: 1–64 of `A–Z a–z 0–9 _ -`.
    public var hasPortableName: Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable, Codable {
    /// The model decides.
    case auto
    /// The model must not call a tool.
    case none
    /// The model must call at least one tool.
    case required
    /// The model must call the named tool.
    case tool(name: String)
}

/// The shape of the answer the model must produce.
public enum ResponseFormat: Sendable, Hashable, Codable {
    /// Free text.
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON matching a schema; `strict` asks providers that support it to enforce the schema exactly.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool)
}
