import LLMCore

/// A ``ChatModel`` whose calls go through a ``CircuitBreaker``.
///
/// A stream holds its permit until it ends; it counts as slow when its first content event took
/// longer than the breaker's slow-call duration (a long answer is not a slow provider). A stream the
/// consumer abandons releases its permit without an outcome.
public struct CircuitBreakingChatModel<Base: ChatModel>: ChatModel {
    /// The guarded model.
    public let base: Base
    /// The breaker.
    public let breaker: CircuitBreaker

    /// Wraps `base`.
    public init(base: Base, breaker: CircuitBreaker) {
        self.base = base
        self.breaker = breaker
    }

    /// Answers through the base model if the breaker admits the call.
    @inlinable
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        try await breaker.run { () throws(LLMError) in try await base.respond(to: request) }
    }

    /// Streams from the base model if the breaker admits the call.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let base = base
        let breaker = breaker
        return ChatStream { continuation throws(LLMError) in
            let permit = try breaker.acquirePermit()
            let started = breaker.nanoseconds
            var firstContent: Int64?
            var abandoned = false
            var failure: LLMError?
            do throws(LLMError) {
                for try await event in base.stream(request) {
                    if firstContent == nil, event.isAnswerContent { firstContent = breaker.nanoseconds - started }
                    guard continuation.yield(event) else {
                        abandoned = true
                        break
                    }
                }
            } catch {
                failure = error
            }
            if abandoned {
                permit.release()
                return
            }
            let duration = firstContent ?? breaker.nanoseconds - started
            if let failure {
                permit.settle(breaker.configuration.classify(failure), duration: duration)
                throw failure
            }
            permit.settle(.success, duration: duration)
        }
    }
}

/// An ``EmbeddingModel`` whose calls go through a ``CircuitBreaker``.
public struct CircuitBreakingEmbeddingModel<Base: EmbeddingModel>: EmbeddingModel {
    /// The guarded model.
    public let base: Base
    /// The breaker.
    public let breaker: CircuitBreaker

    /// Wraps `base`.
    public init(base: Base, breaker: CircuitBreaker) {
        self.base = base
        self.breaker = breaker
    }

    /// The base model's dimensions.
    public var dimensions: Int { base.dimensions }

    /// Embeds through the base model if the breaker admits the call.
    @inlinable
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try await breaker.run { () throws(LLMError) in try await base.embed(texts) }
    }
}

extension ChatModel {
    /// This model, its calls guarded by `breaker`.
    public func circuitBreaking(_ breaker: CircuitBreaker) -> CircuitBreakingChatModel<Self> {
        CircuitBreakingChatModel(base: self, breaker: breaker)
    }
}

extension EmbeddingModel {
    /// This model, its calls guarded by `breaker`.
    public func circuitBreaking(_ breaker: CircuitBreaker) -> CircuitBreakingEmbeddingModel<Self> {
        CircuitBreakingEmbeddingModel(base: self, breaker: breaker)
    }
}
