import LLMCore

/// A ``ChatModel`` that retries its base model's failed calls under a ``Retrier``.
///
/// A stream is retried only while nothing of the answer has reached the consumer: the events
/// before the first piece of content (the response id, usage) are held back until then, so a
/// retried stream shows one clean answer. Once content has been forwarded, a failure ends the
/// stream with its error.
public struct RetryingChatModel<Base: ChatModel>: ChatModel {
    /// The model whose calls are retried.
    public let base: Base
    /// The retry policy, budget and clock.
    public let retrier: Retrier

    /// Wraps `base`.
    public init(base: Base, retrier: Retrier) {
        self.base = base
        self.retrier = retrier
    }

    /// Answers through the base model, retrying as the policy allows.
    @inlinable
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        // The loop of `Retrier.run`, written out: a closure here costs more than the rest of the wrapper.
        var attempt = RetryAttempt(retrier)
        while true {
            do {
                let response = try await base.respond(to: request)
                retrier.recordSuccess()
                return response
            } catch {
                try await attempt.wait(after: error)
            }
        }
    }

    /// Streams from the base model, retrying failures that happen before the first content event.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let base = base
        let retrier = retrier
        return ChatStream { continuation throws(LLMError) in
            var attempt = RetryAttempt(retrier)
            while true {
                var heldBack: [ChatStreamEvent] = []
                var committed = false
                do throws(LLMError) {
                    for try await event in base.stream(request) {
                        if !committed, !event.isAnswerContent {
                            heldBack.append(event)
                            continue
                        }
                        if !committed {
                            committed = true
                            for held in heldBack { continuation.yield(held) }
                            heldBack = []
                        }
                        guard continuation.yield(event) else { return }
                    }
                    for held in heldBack { continuation.yield(held) }
                    retrier.recordSuccess()
                    return
                } catch {
                    if committed { throw error }
                    try await attempt.wait(after: error)
                }
            }
        }
    }
}

/// An ``EmbeddingModel`` that retries its base model's failed calls under a ``Retrier``.
public struct RetryingEmbeddingModel<Base: EmbeddingModel>: EmbeddingModel {
    /// The model whose calls are retried.
    public let base: Base
    /// The retry policy, budget and clock.
    public let retrier: Retrier

    /// Wraps `base`.
    public init(base: Base, retrier: Retrier) {
        self.base = base
        self.retrier = retrier
    }

    /// The base model's dimensions.
    public var dimensions: Int { base.dimensions }

    /// Embeds through the base model, retrying as the policy allows.
    @inlinable
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try await retrier.run { _ throws(LLMError) in try await base.embed(texts) }
    }
}

extension ChatModel {
    /// This model, its calls retried by `retrier`.
    public func retrying(_ retrier: Retrier) -> RetryingChatModel<Self> {
        RetryingChatModel(base: self, retrier: retrier)
    }
}

extension EmbeddingModel {
    /// This model, its calls retried by `retrier`.
    public func retrying(_ retrier: Retrier) -> RetryingEmbeddingModel<Self> {
        RetryingEmbeddingModel(base: self, retrier: retrier)
    }
}
