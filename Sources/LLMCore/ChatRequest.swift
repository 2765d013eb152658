/// Everything a chat model needs to produce one answer.
///
/// Optional sampling fields left `nil` mean "the provider's default".
public struct ChatRequest: Sendable, Hashable, Codable {
    /// The model to ask; `nil` lets the ``ChatModel`` use its configured default.
    public var model: String?
    /// Instructions that frame the whole conversation.
    public var systemPrompt: String?
    /// The conversation so far, oldest first.
    public var messages: [ChatMessage]
    /// Tools the model may call.
    public var tools: [ToolDefinition]
    /// Whether and which tool the model must call; `nil` is the provider's default (usually ``ToolChoice/auto``).
    public var toolChoice: ToolChoice?
    /// The shape of the answer.
    public var responseFormat: ResponseFormat
    /// Sampling temperature, 0 and up (providers cap it, typically at 2).
    public var temperature: Double?
    /// Nucleus-sampling probability mass, in (0, 1].
    public var topP: Double?
    /// The most tokens the answer may have.
    public var maxOutputTokens: Int?
    /// Strings that end the answer when generated.
    public var stopSequences: [String]
    /// The end user or tenant the request is made for (for abuse tracking, rate limits and budgets).
    public var user: String?
    /// Application data carried with the request; never sent to a provider.
    public var metadata: [String: String]

    /// Creates a request.
    public init(
        model: String? = nil,
        systemPrompt: String? = nil,
        messages: [ChatMessage],
        tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil,
        responseFormat: ResponseFormat = .text,
        temperature: Double? = nil,
        topP: Double? = nil,
        maxOutputTokens: Int? = nil,
        stopSequences: [String] = [],
        user: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.model = model
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.temperature = temperature
        self.topP = topP
        self.maxOutputTokens = maxOutputTokens
        self.stopSequences = stopSequences
        self.user = user
        self.metadata = metadata
    }

    /// Checks the request for mistakes every provider would reject, before any network call.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/badRequest`` whose message names the field and the fix.
    public func validate() throws(LLMError) {
        func reject(_ message: String) -> LLMError { LLMError(kind: .badRequest, message: message) }

        if messages.isEmpty { throw reject("the request has no messages; add at least one user message") }
        if let temperature, !(temperature.isFinite && temperature >= 0) {
            throw reject("temperature must be a finite number ≥ 0, got \(temperature)")
        }
        if let topP, !(topP > 0 && topP <= 1) {
            throw reject("topP must be in (0, 1], got \(topP)")
        }
        if let maxOutputTokens, maxOutputTokens <= 0 {
            throw reject("maxOutputTokens must be positive, got \(maxOutputTokens)")
        }
        var toolNames = Set<String>()
        for tool in tools {
            if !tool.hasPortableName {
                throw reject("tool name '\(tool.name)' must be 1–64 characters of A–Z, a–z, 0–9, '_' or '-'")
            }
            if !toolNames.insert(tool.name).inserted { throw reject("tool '\(tool.name)' is defined twice") }
        }
        if case .tool(let name)? = toolChoice, !toolNames.contains(name) {
            throw reject("toolChoice names '\(name)', which is not among the request's tools")
        }
        if toolChoice == .required, tools.isEmpty {
            throw reject("toolChoice is .required but the request defines no tools")
        }
        let callIDs = Set(messages.flatMap { $0.toolCalls.map(\.id) })
        for (index, message) in messages.enumerated() {
            switch message.role {
            case .tool:
                guard let id = message.toolCallID else {
                    throw reject("message \(index) is a tool result without a toolCallID")
                }
                if !callIDs.contains(id) {
                    throw reject("message \(index) answers tool call '\(id)', which no assistant message made")
                }
            case .system, .user:
                if !message.toolCalls.isEmpty {
                    throw reject("message \(index) (\(message.role.rawValue)) has tool calls; only assistant messages may")
                }
            case .assistant:
                break
            }
        }
    }
}
