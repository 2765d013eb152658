import LLMCore
import LLMTesting
import ModelRouting
import Testing

@Suite("Streamed routing")
struct StreamRoutingTests {
    @Test("a stream that fails before content falls back, and the consumer sees one clean answer")
    func fallsBackBeforeContent() async throws {
        let broken = ScriptedChatModel([.events([.responseStarted(id: "x", model: "broken"), .usage(Usage(inputTokens: 3))], thenFail: error(.server))])
        let router = try makeRouter([deployment("broken", broken), deployment("good", answering("good"))], group: ["broken"], fallbacks: ["good"])
        let (events, failure) = await collect(router.stream(simpleRequest))
        #expect(failure == nil)
        let starts = events.filter { if case .responseStarted = $0 { true } else { false } }
        #expect(starts == [.responseStarted(id: nil, model: "good")])
        guard case .routed(let routing)? = events.last else {
            Issue.record("the last event is not the routing record: \(String(describing: events.last))")
            return
        }
        #expect(routing.deployment == "good")
        #expect(routing.fallbacks.map(\.deployment) == ["broken"])
        var accumulator = ChatStreamAccumulator()
        for event in events { try accumulator.apply(event) }
        #expect(try accumulator.response().text == "from good")
    }

    @Test("a stream that fails after content ends with the error and does not fall back")
    func noFallbackAfterContent() async throws {
        let good = answering("good")
        let cut = ScriptedChatModel([.events([.responseStarted(id: nil, model: "cut"), .textDelta("Hel")], thenFail: error(.transport))])
        let router = try makeRouter([deployment("cut", cut), deployment("good", good)], group: ["cut"], fallbacks: ["good"])
        let (events, failure) = await collect(router.stream(simpleRequest))
        #expect(failure?.kind == .transport)
        #expect(events == [.responseStarted(id: nil, model: "cut"), .textDelta("Hel")])
        #expect(good.requests.isEmpty)
    }

    @Test("a stream that ends with no content at all counts as a failure and falls back")
    func emptyStreamFallsBack() async throws {
        let empty = ScriptedChatModel([.events([.responseStarted(id: nil, model: "empty")], thenFail: nil)])
        let router = try makeRouter([deployment("empty", empty), deployment("good", answering("good"))], group: ["empty"], fallbacks: ["good"])
        let response = try await router.stream(simpleRequest).response()
        #expect(response.routing?.deployment == "good")
        #expect(response.routing?.fallbacks.first?.error == .transport)
    }

    @Test("a deployment that does not stream is replayed as a stream, with time to first token measured")
    func nonStreamingDeployment() async throws {
        let router = try makeRouter(
            [deployment("batch", answering("batch"), capabilities: ModelCapabilities(streaming: false))], group: ["batch"])
        let response = try await router.stream(simpleRequest).response()
        #expect(response.text == "from batch")
        #expect(response.routing?.timeToFirstToken != nil)
    }
}
