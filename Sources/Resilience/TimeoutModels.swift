import LLMCore

/// A ``ChatModel`` whose calls and streams are bounded by a ``Timeout``.
public struct TimeoutChatModel<Base: ChatModel>: ChatModel {
    /// The bounded model.
    public let base: Base
    /// The limits.
    public let timeout: Timeout

    /// Wraps `base`.
    public init(base: Base, timeout: Timeout) {
        self.base = base
        self.timeout = timeout
    }

    /// Answers through the base model, or fails with ``LLMError/Kind/timeout``.
    @inlinable
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let base = base
        return try await timeout.run { () throws(LLMError) in try await base.respond(to: request) }
    }

    /// Streams from the base model, failing with ``LLMError/Kind/timeout`` on a long silence or a long stream.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let base = base
        return timeout.guarding { base.stream(request) }
    }
}

/// An ``EmbeddingModel`` whose calls are bounded by a ``Timeout``.
public struct TimeoutEmbeddingModel<Base: EmbeddingModel>: EmbeddingModel {
    /// The bounded model.
    public let base: Base
    /// The limits (only ``Timeout/limit`` applies).
    public let timeout: Timeout

    /// Wraps `base`.
    public init(base: Base, timeout: Timeout) {
        self.base = base
        self.timeout = timeout
    }

    /// The base model's dimensions.
    public var dimensions: Int { base.dimensions }

    /// Embeds through the base model, or fails with ``LLMError/Kind/timeout``.
    @inlinable
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        let base = base
        return try await timeout.run { () throws(LLMError) in try await base.embed(texts) }
    }
}

extension ChatModel {
    /// This model, its calls bounded by `timeout`.
    public func timeout(_ timeout: Timeout) -> TimeoutChatModel<Self> {
        TimeoutChatModel(base: self, timeout: timeout)
    }
}

extension EmbeddingModel {
    /// This model, its calls bounded by `timeout`.
    public func timeout(_ timeout: Timeout) -> TimeoutEmbeddingModel<Self> {
        TimeoutEmbeddingModel(base: self, timeout: timeout)
    }
}
