/// A model's complete answer to a ``ChatRequest``.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// The assistant message: text and any tool calls.
    public var message: ChatMessage
    /// Why generation stopped.
    public var finishReason: FinishReason
    /// Tokens consumed.
    public var usage: Usage
    /// The model that actually answered (which may differ from the one requested).
    public var model: String
    /// The provider's id for this response, when it gives one.
    public var id: String?
    /// Reasoning text the provider exposed, if any.
    public var reasoning: String?
    /// Set when a response cache answered instead of a model; the usage of such a response is
    /// zero, because nothing was billed for it.
    public var cacheHit: CacheHit?
    /// Set when a router answered: which deployment, why, and at what cost.
    public var routing: RoutingDecision?

    /// Creates a response.
    public init(
        message: ChatMessage, finishReason: FinishReason, usage: Usage = .zero, model: String, id: String? = nil,
        reasoning: String? = nil, cacheHit: CacheHit? = nil, routing: RoutingDecision? = nil
    ) {
        self.cacheHit = cacheHit
        self.routing = routing
        self.message = message
        self.finishReason = finishReason
        self.usage = usage
        self.model = model
        self.id = id
        self.reasoning = reasoning
    }

    /// The answer's text.
    public var text: String { message.text }

    /// The tool calls the model asked for.
    public var toolCalls: [ToolCall] { message.toolCalls }

    /// The events a stream of this response would carry, in order; replaying them
    /// through a ``ChatStreamAccumulator`` gives back this response.
    public var streamEvents: [ChatStreamEvent] {
        var events: [ChatStreamEvent] = [.responseStarted(id: id, model: model)]
        if let cacheHit { events.append(.cacheHit(cacheHit)) }
        if let reasoning, !reasoning.isEmpty { events.append(.reasoningDelta(reasoning)) }
        let text = message.text
        if !text.isEmpty { events.append(.textDelta(text)) }
        for (index, call) in message.toolCalls.enumerated() {
            events.append(.toolCallStarted(index: index, id: call.id, name: call.name))
            events.append(.toolCallArgumentsDelta(index: index, fragment: call.argumentsText))
            events.append(.toolCallEnded(index: index))
        }
        if usage != .zero { events.append(.usage(usage)) }
        events.append(.finished(finishReason))
        if let routing { events.append(.routed(routing)) }
        return events
    }
}
