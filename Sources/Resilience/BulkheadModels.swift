import LLMCore

/// A ``ChatModel`` whose calls take a slot in a ``Bulkhead``; a stream holds its slot until it ends.
public struct BulkheadChatModel<Base: ChatModel>: ChatModel {
    /// The model.
    public let base: Base
    /// The bulkhead.
    public let bulkhead: Bulkhead

    /// Wraps `base`.
    public init(base: Base, bulkhead: Bulkhead) {
        self.base = base
        self.bulkhead = bulkhead
    }

    /// Answers through the base model in a bulkhead slot.
    @inlinable
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        try await bulkhead.run { () throws(LLMError) in try await base.respond(to: request) }
    }

    /// Streams from the base model in a bulkhead slot.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let base = base
        let bulkhead = bulkhead
        return ChatStream { continuation throws(LLMError) in
            try await bulkhead.enter()
            defer { bulkhead.leave() }
            for try await event in base.stream(request) {
                guard continuation.yield(event) else { return }
            }
        }
    }
}

/// An ``EmbeddingModel`` whose calls take a slot in a ``Bulkhead``.
public struct BulkheadEmbeddingModel<Base: EmbeddingModel>: EmbeddingModel {
    /// The model.
    public let base: Base
    /// The bulkhead.
    public let bulkhead: Bulkhead

    /// Wraps `base`.
    public init(base: Base, bulkhead: Bulkhead) {
        self.base = base
        self.bulkhead = bulkhead
    }

    /// The base model's dimensions.
    public var dimensions: Int { base.dimensions }

    /// Embeds through the base model in a bulkhead slot.
    @inlinable
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try await bulkhead.run { () throws(LLMError) in try await base.embed(texts) }
    }
}

extension ChatModel {
    /// This model, its calls limited in number by `bulkhead`.
    public func bulkhead(_ bulkhead: Bulkhead) -> BulkheadChatModel<Self> {
        BulkheadChatModel(base: self, bulkhead: bulkhead)
    }
}

extension EmbeddingModel {
    /// This model, its calls limited in number by `bulkhead`.
    public func bulkhead(_ bulkhead: Bulkhead) -> BulkheadEmbeddingModel<Self> {
        BulkheadEmbeddingModel(base: self, bulkhead: bulkhead)
    }
}
