import LLMCore

/// What one call costs against a ``RateLimiter``.
public enum RateLimitCost: Sendable {
    /// One permit per call: a requests-per-interval limit.
    case requests
    /// The call's tokens: a tokens-per-interval limit. A call reserves its estimated prompt
    /// (counted with `counter`) plus its `maxOutputTokens` (or `defaultMaxOutput` when the request
    /// sets none), then reconciles with the usage the provider reports.
    case tokens(counter: any TokenCounter, defaultMaxOutput: Int)

    @usableFromInline
    func reservation(for request: ChatRequest) -> (total: Int, prompt: Int) {
        switch self {
        case .requests:
            return (1, 1)
        case .tokens(let counter, let defaultMaxOutput):
            let prompt = request.estimatedPromptTokens(using: counter)
            return (prompt + max(0, request.maxOutputTokens ?? defaultMaxOutput), prompt)
        }
    }

    func reservation(for texts: [String]) -> Int {
        switch self {
        case .requests: 1
        case .tokens(let counter, _): texts.reduce(0) { $0 + counter.tokenCount(of: $1) }
        }
    }
}

/// A ``ChatModel`` whose calls first take permits from a keyed ``RateLimiter``.
///
/// With ``RateLimitCost/tokens(counter:defaultMaxOutput:)`` the reservation is reconciled with the
/// response's reported usage (or, for a failed call, cut back to the prompt estimate).
public struct RateLimitedChatModel<Base: ChatModel, Key: Hashable & Sendable>: ChatModel {
    /// The limited model.
    public let base: Base
    /// The limiter.
    public let limiter: RateLimiter<Key>
    /// What a call costs.
    public let cost: RateLimitCost
    /// How long a call may wait for permits before failing with ``LLMError/Kind/rateLimited``; `nil` waits as long as it takes.
    public let maxWait: Duration?
    @usableFromInline let key: @Sendable (ChatRequest) -> Key

    /// Wraps `base`; `key` picks the limiter key for each request (for example its ``ChatRequest/user``).
    public init(
        base: Base, limiter: RateLimiter<Key>, cost: RateLimitCost = .requests, maxWait: Duration? = nil,
        key: @escaping @Sendable (ChatRequest) -> Key
    ) {
        self.base = base
        self.limiter = limiter
        self.cost = cost
        self.maxWait = maxWait
        self.key = key
    }

    /// Takes the permits, then answers through the base model.
    @inlinable
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let key = key(request)
        let reserved = cost.reservation(for: request)
        try await limiter.acquire(reserved.total, for: key, maxWait: maxWait)
        do {
            let response = try await base.respond(to: request)
            settle(reserved, usage: response.usage, key: key)
            return response
        } catch {
            settle(reserved, usage: nil, key: key)
            throw error
        }
    }

    /// Takes the permits, then streams from the base model.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let model = self
        return ChatStream { continuation throws(LLMError) in
            let key = model.key(request)
            let reserved = model.cost.reservation(for: request)
            try await model.limiter.acquire(reserved.total, for: key, maxWait: model.maxWait)
            var usage: Usage?
            do throws(LLMError) {
                for try await event in model.base.stream(request) {
                    if case .usage(let reported) = event { usage = reported }
                    guard continuation.yield(event) else { break }
                }
            } catch {
                model.settle(reserved, usage: nil, key: key)
                throw error
            }
            model.settle(reserved, usage: usage, key: key)
        }
    }

    @usableFromInline
    func settle(_ reserved: (total: Int, prompt: Int), usage: Usage?, key: Key) {
        guard case .tokens = cost else { return }
        if let usage, usage.totalTokens > 0 {
            limiter.reconcile(reserved: reserved.total, actual: usage.totalTokens, for: key)
        } else if usage == nil {
            limiter.reconcile(reserved: reserved.total, actual: reserved.prompt, for: key)
        }
    }
}

/// An ``EmbeddingModel`` whose calls first take permits from a ``RateLimiter`` under one key.
public struct RateLimitedEmbeddingModel<Base: EmbeddingModel, Key: Hashable & Sendable>: EmbeddingModel {
    /// The limited model.
    public let base: Base
    /// The limiter.
    public let limiter: RateLimiter<Key>
    /// The key every call is charged to.
    public let key: Key
    /// What a call costs (tokens are the texts' estimated tokens).
    public let cost: RateLimitCost
    /// How long a call may wait for permits; `nil` waits as long as it takes.
    public let maxWait: Duration?

    /// Wraps `base`.
    public init(base: Base, limiter: RateLimiter<Key>, key: Key, cost: RateLimitCost = .requests, maxWait: Duration? = nil) {
        self.base = base
        self.limiter = limiter
        self.key = key
        self.cost = cost
        self.maxWait = maxWait
    }

    /// The base model's dimensions.
    public var dimensions: Int { base.dimensions }

    /// Takes the permits, then embeds through the base model.
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try await limiter.acquire(cost.reservation(for: texts), for: key, maxWait: maxWait)
        return try await base.embed(texts)
    }
}

extension ChatModel {
    /// This model, each call first taking permits from `limiter` under the key `key` picks for its request.
    public func rateLimited<Key: Hashable & Sendable>(
        _ limiter: RateLimiter<Key>, cost: RateLimitCost = .requests, maxWait: Duration? = nil,
        key: @escaping @Sendable (ChatRequest) -> Key
    ) -> RateLimitedChatModel<Self, Key> {
        RateLimitedChatModel(base: self, limiter: limiter, cost: cost, maxWait: maxWait, key: key)
    }
}

extension EmbeddingModel {
    /// This model, each call first taking permits from `limiter` under `key`.
    public func rateLimited<Key: Hashable & Sendable>(
        _ limiter: RateLimiter<Key>, key: Key, cost: RateLimitCost = .requests, maxWait: Duration? = nil
    ) -> RateLimitedEmbeddingModel<Self, Key> {
        RateLimitedEmbeddingModel(base: self, limiter: limiter, key: key, cost: cost, maxWait: maxWait)
    }
}
