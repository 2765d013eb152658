/// Folds a stream of ``ChatStreamEvent`` into the ``ChatResponse`` a one-shot call returns.
///
/// Text and reasoning deltas are concatenated; each tool call's argument
/// fragments are joined by call index (so parallel calls may interleave) and
/// parsed once, at the end; usage events are running totals, merged field by
/// field by taking the largest value.
///
/// ```swift
/// var accumulator = ChatStreamAccumulator()
/// for try await event in stream { try accumulator.apply(event) }
/// let response = try accumulator.response()
/// ```
public struct ChatStreamAccumulator: Sendable {
    private struct PartialToolCall: Sendable {
        var id: String
        var name: String
        var argumentsText = ""
        var ended = false
    }

    private var text = ""
    private var reasoning = ""
    private var toolCalls: [Int: PartialToolCall] = [:]
    private var usage = Usage.zero
    private var model: String
    private var responseID: String?
    private var cacheHit: CacheHit?
    private var routing: RoutingDecision?

    /// Why the stream finished, once a finish event has been applied.
    public private(set) var finishReason: FinishReason?

    /// Creates an empty accumulator; `defaultModel` is reported if no event names the model.
    public init(defaultModel: String = "") {
        model = defaultModel
    }

    /// The text received so far.
    public var partialText: String { text }

    /// Applies one event.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/decoding`` for events that
    ///   contradict earlier ones: arguments for a tool call that never started,
    ///   a call index started twice, or arguments after a call ended.
    public mutating func apply(_ event: ChatStreamEvent) throws(LLMError) {
        switch event {
        case .responseStarted(let id, let model):
            if let id { responseID = id }
            if !model.isEmpty { self.model = model }
        case .cacheHit(let hit):
            cacheHit = hit
        case .textDelta(let delta):
            text += delta
        case .reasoningDelta(let delta):
            reasoning += delta
        case .toolCallStarted(let index, let id, let name):
            if let existing = toolCalls[index] {
                throw LLMError(
                    kind: .decoding,
                    message: "stream started tool call \(index) twice (as '\(existing.id)' and '\(id)')")
            }
            toolCalls[index] = PartialToolCall(id: id, name: name)
        case .toolCallArgumentsDelta(let index, let fragment):
            guard toolCalls[index] != nil else {
                throw LLMError(kind: .decoding, message: "stream sent arguments for tool call \(index) before it started")
            }
            if toolCalls[index]!.ended {
                throw LLMError(kind: .decoding, message: "stream sent arguments for tool call \(index) after it ended")
            }
            toolCalls[index]!.argumentsText += fragment
        case .toolCallEnded(let index):
            guard toolCalls[index] != nil else {
                throw LLMError(kind: .decoding, message: "stream ended tool call \(index), which never started")
            }
            toolCalls[index]!.ended = true
        case .usage(let totals):
            usage = usage.merging(runningTotals: totals)
        case .finished(let reason):
            finishReason = reason
        case .routed(let decision):
            routing = decision
        }
    }

    /// The complete response.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/transport`` if no finish event
    ///   arrived (the answer may be cut short; retrying can help), or of kind
    ///   ``LLMError/Kind/decoding`` if a tool call's joined arguments are not JSON.
    public func response() throws(LLMError) -> ChatResponse {
        guard let finishReason else {
            throw LLMError(
                kind: .transport,
                message: "the stream ended without a finish event after \(text.count) characters; the answer may be truncated")
        }
        var calls: [ToolCall] = []
        for index in toolCalls.keys.sorted() {
            let partial = toolCalls[index]!
            calls.append(try ToolCall(id: partial.id, name: partial.name, argumentsText: partial.argumentsText))
        }
        return ChatResponse(
            message: .assistant(text, toolCalls: calls),
            finishReason: finishReason,
            usage: usage,
            model: model,
            id: responseID,
            reasoning: reasoning.isEmpty ? nil : reasoning,
            cacheHit: cacheHit,
            routing: routing)
    }
}
