import LLMCore

/// A ``LLMCore/ChatModel`` that answers a question from a ``SemanticCache`` when a similar
/// enough question was answered before in the same context.
///
/// The lookup text is the last message, when it is a user message of text only (other requests
/// pass through). The partition is the SHA-256 of everything else that shapes the answer — model,
/// system prompt, tools, tool choice, response format, sampling parameters, the caller's
/// `partition` (a tenant or user) and, unless ``ConversationScope/latestQuestionOnly`` is chosen,
/// every preceding turn — so "and the second one?" in one conversation never matches the same
/// words in another.
///
/// Hits come back with zero usage and ``LLMCore/ChatResponse/cacheHit`` set to a semantic hit
/// with its similarity. Only answers that finished normally are stored; cache failures (an
/// embedder or store that is down) never fail the request: the model answers instead.
public struct SemanticCachingChatModel<Base: ChatModel>: ChatModel {
    /// Which turns of a conversation must match exactly for a cached answer to be reused.
    public enum ConversationScope: Sendable, Hashable {
        /// All earlier turns must be identical (the safe default).
        case wholeConversation
        /// Only the latest question matters: for single-turn use where earlier turns never change
        /// the answer.
        case latestQuestionOnly
    }

    /// The model that answers misses.
    public let base: Base
    /// Where answers are kept.
    public let cache: SemanticCache<ChatResponse>
    /// Keeps tenants' or users' entries apart.
    public let partition: String?
    /// Which turns must match exactly.
    public let scope: ConversationScope
    /// Whether requests that sample (temperature above 0, or unset) are cached too.
    public let cachingSampledRequests: Bool
    /// The tags to store an answer with, such as the ids of the documents it cites.
    public let tags: @Sendable (ChatRequest, ChatResponse) -> Set<String>

    /// Wraps `base`.
    public init(
        base: Base, cache: SemanticCache<ChatResponse>, partition: String? = nil,
        scope: ConversationScope = .wholeConversation, cachingSampledRequests: Bool = false,
        tags: @escaping @Sendable (ChatRequest, ChatResponse) -> Set<String> = { _, _ in [] }
    ) {
        self.base = base
        self.cache = cache
        self.partition = partition
        self.scope = scope
        self.cachingSampledRequests = cachingSampledRequests
        self.tags = tags
    }

    /// The question and partition to use for `request`, or `nil` when it is not cacheable.
    public func cacheSlot(for request: ChatRequest) -> (question: String, partition: CacheKey)? {
        guard !request.isSampled || cachingSampledRequests, let last = request.messages.last, last.role == .user,
            last.toolCalls.isEmpty, last.content.allSatisfy({ if case .text = $0 { true } else { false } })
        else { return nil }
        let question = last.text
        guard !question.isEmpty else { return nil }
        var context = request
        context.messages = scope == .wholeConversation ? Array(request.messages.dropLast()) : []
        guard let text = try? context.canonicalForm(partition: partition).serialized(options: .sortedKeys) else { return nil }
        return (question, CacheKey(hashing: "semantic-partition\n" + text))
    }

    /// A cached answer to a similar question, or the base model's (stored when it finished normally).
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        guard let slot = cacheSlot(for: request) else { return try await base.respond(to: request) }
        if let hit = try? await cache.lookup(slot.question, partition: slot.partition) {
            return hit.value.asCacheHit(CacheHit(kind: .semantic, similarity: hit.similarity, matchedText: hit.matchedText))
        }
        let response = try await base.respond(to: request)
        if response.finishReason.isCacheable { await store(response, for: request, slot: slot) }
        return response
    }

    /// A cached answer replayed as a stream, or the base model's stream (stored when it finished normally).
    public func stream(_ request: ChatRequest) -> ChatStream {
        guard let slot = cacheSlot(for: request) else { return base.stream(request) }
        let model = self
        return ChatStream { continuation throws(LLMError) in
            if let hit = try? await model.cache.lookup(slot.question, partition: slot.partition) {
                let response = hit.value.asCacheHit(
                    CacheHit(kind: .semantic, similarity: hit.similarity, matchedText: hit.matchedText))
                for event in response.streamEvents { continuation.yield(event) }
                return
            }
            if let response = try await forwardAndCollect(model.base.stream(request), to: continuation, model: request.model) {
                await model.store(response, for: request, slot: slot)
            }
        }
    }

    private func store(_ response: ChatResponse, for request: ChatRequest, slot: (question: String, partition: CacheKey)) async {
        var response = response
        response.cacheHit = nil
        try? await cache.insert(response, for: slot.question, partition: slot.partition, tags: tags(request, response))
    }
}

extension ChatModel {
    /// This model, answering similar questions from `cache`.
    ///
    /// - Parameters:
    ///   - partition: Keeps tenants' or users' entries apart.
    ///   - scope: Which turns of a conversation must match exactly (all of them by default).
    ///   - cachingSampledRequests: Caches requests with a temperature above 0 (or unset) too.
    ///   - tags: The tags to store an answer with, for ``SemanticCache/invalidate(tag:)``.
    public func cached(
        semantic cache: SemanticCache<ChatResponse>, partition: String? = nil,
        scope: SemanticCachingChatModel<Self>.ConversationScope = .wholeConversation,
        cachingSampledRequests: Bool = false,
        tags: @escaping @Sendable (ChatRequest, ChatResponse) -> Set<String> = { _, _ in [] }
    ) -> SemanticCachingChatModel<Self> {
        SemanticCachingChatModel(
            base: self, cache: cache, partition: partition, scope: scope,
            cachingSampledRequests: cachingSampledRequests, tags: tags)
    }
}
