import LLMCore

/// A ``LLMCore/ChatModel`` that answers repeated requests from a ``ResponseCache``.
///
/// A hit comes back with zero usage and ``LLMCore/ChatResponse/cacheHit`` set (streams replay it,
/// with a ``LLMCore/ChatStreamEvent/cacheHit(_:)`` event after the start). Only answers that
/// finished normally are stored: never errors, content-filtered answers, or streams that failed
/// or were abandoned part-way.
public struct ExactCachingChatModel<Base: ChatModel>: ChatModel {
    /// The model that answers misses.
    public let base: Base
    /// Where answers are kept.
    public let cache: ResponseCache
    /// Keeps the entries of tenants, users or deployments apart (see
    /// ``LLMCore/ChatRequest/cacheKey(partition:cachingSampledRequests:)``).
    public let partition: String?
    /// Whether requests that sample (temperature above 0, or unset) are cached too.
    public let cachingSampledRequests: Bool

    /// Wraps `base`.
    public init(base: Base, cache: ResponseCache, partition: String? = nil, cachingSampledRequests: Bool = false) {
        self.base = base
        self.cache = cache
        self.partition = partition
        self.cachingSampledRequests = cachingSampledRequests
    }

    /// The cached answer, or the base model's (stored when it finished normally).
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        guard let key = try request.cacheKey(partition: partition, cachingSampledRequests: cachingSampledRequests) else {
            return try await base.respond(to: request)
        }
        if let cached = await cache.response(forKey: key) { return cached.asCacheHit(CacheHit(kind: .exact)) }
        let response = try await base.respond(to: request)
        if response.finishReason.isCacheable { await cache.store(response, forKey: key) }
        return response
    }

    /// The cached answer replayed as a stream, or the base model's stream (stored when it
    /// finished normally).
    public func stream(_ request: ChatRequest) -> ChatStream {
        let base = base
        let cache = cache
        let key: CacheKey?
        do {
            key = try request.cacheKey(partition: partition, cachingSampledRequests: cachingSampledRequests)
        } catch {
            return ChatStream(failure: error)
        }
        guard let key else { return base.stream(request) }
        return ChatStream { continuation throws(LLMError) in
            if let cached = await cache.response(forKey: key) {
                for event in cached.asCacheHit(CacheHit(kind: .exact)).streamEvents { continuation.yield(event) }
                return
            }
            if let response = try await forwardAndCollect(base.stream(request), to: continuation, model: request.model) {
                await cache.store(response, forKey: key)
            }
        }
    }
}

extension ChatModel {
    /// This model, answering repeated requests from `cache`.
    ///
    /// - Parameters:
    ///   - partition: Keeps tenants' or users' entries apart.
    ///   - cachingSampledRequests: Caches requests with a temperature above 0 (or unset) too.
    public func cached(exact cache: ResponseCache, partition: String? = nil, cachingSampledRequests: Bool = false)
        -> ExactCachingChatModel<Self>
    {
        ExactCachingChatModel(base: self, cache: cache, partition: partition, cachingSampledRequests: cachingSampledRequests)
    }
}

extension ChatResponse {
    /// This response as a cache hit: zero usage (nothing was billed), no routing record (no model
    /// was routed to, and a replayed cost would be counted twice), marked with `hit`.
    func asCacheHit(_ hit: CacheHit) -> ChatResponse {
        var response = self
        response.usage = .zero
        response.routing = nil
        response.cacheHit = hit
        return response
    }
}

/// Forwards every event of `stream` to `continuation` and returns the folded response if the
/// stream finished normally with a cacheable reason and the consumer stayed to the end.
func forwardAndCollect(
    _ stream: ChatStream, to continuation: ChatStream.Continuation, model: String?
) async throws(LLMError) -> ChatResponse? {
    var accumulator = ChatStreamAccumulator(defaultModel: model ?? "")
    var consumerStayed = true
    var foldable = true
    for try await event in stream {
        if consumerStayed { consumerStayed = continuation.yield(event) }
        if foldable {
            do { try accumulator.apply(event) } catch { foldable = false }
        }
        if !consumerStayed { return nil }
    }
    guard consumerStayed, foldable, let reason = accumulator.finishReason, reason.isCacheable else { return nil }
    return try? accumulator.response()
}
