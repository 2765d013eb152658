/// One turn of a conversation.
///
/// A user or system message carries content parts; an assistant message may
/// also carry the tool calls the model asked for; a tool message carries the
/// result of one tool call and names it with ``toolCallID``.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote a message.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// Instructions from the application.
        case system
        /// The end user.
        case user
        /// The model.
        case assistant
        /// The result of a tool call, sent back to the model.
        case tool

        /// Decodes a role; an unknown role is a `DecodingError` that lists the known ones.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let raw = try container.decode(String.self)
            guard let role = Role(rawValue: raw) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "unknown chat role '\(raw)'; expected one of system, user, assistant, tool")
            }
            self = role
        }
    }

    /// Who wrote the message.
    public var role: Role
    /// The content, in order.
    public var content: [ContentPart]
    /// The tool calls an assistant message asks for (empty otherwise).
    public var toolCalls: [ToolCall]
    /// For a tool message, the ``ToolCall/id`` it answers.
    public var toolCallID: String?
    /// An optional participant name, for providers that distinguish speakers.
    public var name: String?

    /// Creates a message.
    public init(
        role: Role, content: [ContentPart], toolCalls: [ToolCall] = [], toolCallID: String? = nil, name: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    /// The text parts joined together (images are skipped).
    public var text: String {
        content.compactMap(\.text).joined()
    }

    /// A system message with text.
    public static func system(_ text: String) -> ChatMessage {
        ChatMessage(role: .system, content: [.text(text)])
    }

    /// A user message with text.
    public static func user(_ text: String) -> ChatMessage {
        ChatMessage(role: .user, content: [.text(text)])
    }

    /// An assistant message with text and optional tool calls.
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> ChatMessage {
        ChatMessage(role: .assistant, content: text.isEmpty ? [] : [.text(text)], toolCalls: toolCalls)
    }

    /// A tool message carrying the result of the tool call with id `callID`.
    public static func toolResult(callID: String, _ text: String) -> ChatMessage {
        ChatMessage(role: .tool, content: [.text(text)], toolCallID: callID)
    }
}
