/// Anything that answers chat requests: a provider client, or a wrapper around
/// one (retrying, circuit-breaking, caching, routing), which is itself a `ChatModel`.
///
/// Conforming types are `Sendable` so one instance can serve many tasks at once.
public protocol ChatModel: Sendable {
    /// Answers a request in one piece.
    ///
    /// - Throws: ``LLMError``; ``LLMError/isRetryable`` says whether trying again can help.
    func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse

    /// Answers a request as a stream of events.
    ///
    /// Folding the stream with ``ChatStreamAccumulator`` gives the same response
    /// ``respond(to:)`` would. Cancelling the consumer cancels the work.
    func stream(_ request: ChatRequest) -> ChatStream
}

/// Anything that turns texts into vectors.
public protocol EmbeddingModel: Sendable {
    /// The length of every vector this model returns.
    var dimensions: Int { get }

    /// Embeds a batch of texts; the result has one vector of ``dimensions`` floats per text, in order.
    ///
    /// - Throws: ``LLMError``.
    func embed(_ texts: [String]) async throws(LLMError) -> [[Float]]
}
