import LLMCore
import LLMTesting
import Testing

@testable import LLMCache

private func request(_ question: String, history: [ChatMessage] = [], temperature: Double? = 0) -> ChatRequest {
    ChatRequest(model: "m", messages: history + [.user(question)], temperature: temperature)
}

private func collect(_ stream: ChatStream) async throws -> [ChatStreamEvent] {
    var events: [ChatStreamEvent] = []
    for try await event in stream { events.append(event) }
    return events
}

@Suite("Caching chat models")
struct CachingChatModelTests {
    @Test("an exact hit skips the model, costs nothing and is marked")
    func exactHit() async throws {
        var routed = ChatResponse(message: .assistant("Paris"), finishReason: .stop, usage: Usage(inputTokens: 10, outputTokens: 2), model: "m")
        routed.routing = RoutingDecision(deployment: "mini", strategy: "weightedRoundRobin", latency: .milliseconds(5), cost: Cost(microdollars: 3))
        let base = ScriptedChatModel([.response(routed)])
        let model = base.cached(exact: try ResponseCache(maximumCount: 100))
        let first = try await model.respond(to: request("capital of France?"))
        #expect(first.cacheHit == nil && first.usage.outputTokens == 2)
        let second = try await model.respond(to: request("capital of France?"))
        #expect(second.text == "Paris")
        #expect(second.cacheHit == CacheHit(kind: .exact))
        #expect(second.usage == .zero)
        #expect(second.routing == nil, "a replayed routing record would count the original's cost again")
        #expect(base.requests.count == 1)
    }

    @Test("errors, content-filtered answers and sampled requests are not cached")
    func neverCached() async throws {
        let filtered = ChatResponse(message: .assistant(""), finishReason: .contentFilter, model: "m")
        let base = ScriptedChatModel([
            .failure(LLMError(kind: .server, message: "boom")), .response(filtered), .text("ok"), .text("sampled 1"),
            .text("sampled 2"),
        ])
        let model = base.cached(exact: try ResponseCache(maximumCount: 100))
        await #expect(throws: LLMError.self) { try await model.respond(to: request("q")) }
        #expect(try await model.respond(to: request("q")).finishReason == FinishReason.contentFilter)
        #expect(try await model.respond(to: request("q")).text == "ok")
        #expect(try await model.respond(to: request("q")).cacheHit != nil)
        #expect(try await model.respond(to: request("s", temperature: 0.7)).text == "sampled 1")
        #expect(try await model.respond(to: request("s", temperature: 0.7)).text == "sampled 2")
        #expect(base.requests.count == 5)
    }

    @Test("a finished stream is stored and replayed as a stream; a failed one is not stored")
    func streamReplay() async throws {
        let events: [ChatStreamEvent] = [
            .responseStarted(id: "r1", model: "m"), .textDelta("Hel"), .textDelta("lo"),
            .usage(Usage(inputTokens: 3, outputTokens: 2)), .finished(.stop),
        ]
        let base = ScriptedChatModel([
            .events(Array(events.prefix(2)), thenFail: LLMError(kind: .transport, message: "hung up")),
            .events(events, thenFail: nil),
        ])
        let model = base.cached(exact: try ResponseCache(maximumCount: 100))
        await #expect(throws: LLMError.self) { _ = try await collect(model.stream(request("hi"))) }
        #expect(try await collect(model.stream(request("hi"))) == events)
        let replay = try await collect(model.stream(request("hi")))
        #expect(replay.contains(.cacheHit(CacheHit(kind: .exact))))
        let response = try await model.stream(request("hi")).response()
        #expect(response.text == "Hello" && response.cacheHit?.kind == .exact && response.usage == .zero)
        #expect(base.requests.count == 2)
    }

    @Test("a shared store lets a second cache answer what the first stored")
    func sharedExact() async throws {
        let store = try InMemoryCacheStore()
        let first = ScriptedChatModel([.text("42")]).cached(exact: try ResponseCache(maximumCount: 10, shared: store))
        let secondBase = ScriptedChatModel([])
        let second = secondBase.cached(exact: try ResponseCache(maximumCount: 10, shared: store))
        _ = try await first.respond(to: request("answer?"))
        #expect(try await second.respond(to: request("answer?")).text == "42")
        #expect(secondBase.requests.isEmpty)
    }

    @Test("a semantic hit needs the same conversation context; follow-ups never cross conversations")
    func semanticContext() async throws {
        let cache = try SemanticCache<ChatResponse>(embedder: embedder)
        let base = ScriptedChatModel([.text("Use the reset link."), .text("Other conversation's answer")])
        let model = base.cached(semantic: cache)
        let historyA: [ChatMessage] = [.user("opening hours"), .assistant("9 to 5")]
        let historyB: [ChatMessage] = [.user("change my email"), .assistant("Settings > Email")]
        _ = try await model.respond(to: request("reset password", history: historyA))
        let hit = try await model.respond(to: request("how do I reset my password", history: historyA))
        #expect(hit.cacheHit?.kind == .semantic)
        #expect(hit.text == "Use the reset link." && hit.usage == .zero)
        let other = try await model.respond(to: request("how do I reset my password", history: historyB))
        #expect(other.text == "Other conversation's answer" && other.cacheHit == nil)
        #expect(base.requests.count == 2)
    }

    @Test("the latest-question scope shares answers across conversations when asked to")
    func latestQuestionScope() async throws {
        let cache = try SemanticCache<ChatResponse>(embedder: embedder)
        let base = ScriptedChatModel([.text("Use the reset link.")])
        let model = base.cached(semantic: cache, scope: .latestQuestionOnly)
        _ = try await model.respond(to: request("reset password", history: [.user("opening hours"), .assistant("9")]))
        let hit = try await model.respond(to: request("how do I reset my password"))
        #expect(hit.cacheHit?.kind == .semantic)
    }
}
