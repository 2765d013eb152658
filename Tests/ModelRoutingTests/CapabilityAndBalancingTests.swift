import LLMCore
import LLMTesting
import ModelRouting
import Testing

@Suite("Capability filtering and load balancing")
struct CapabilityAndBalancingTests {
    @Test("a tool-using request never reaches a deployment without tools")
    func toolsFilter() async throws {
        let plain = answering("plain"), withTools = answering("tools")
        let router = try makeRouter(
            [deployment("plain", plain), deployment("tools", withTools, capabilities: ModelCapabilities(tools: true))],
            group: ["plain", "tools"])
        var request = simpleRequest
        request.tools = [ToolDefinition(name: "lookup", description: "looks things up")]
        for _ in 0..<4 {
            let response = try await router.respond(to: request)
            #expect(response.routing?.deployment == "tools")
            #expect(response.routing?.reasons.contains { $0.contains("plain cannot serve it: the request uses tools") } == true)
        }
        #expect(plain.requests.isEmpty)
    }

    @Test("a JSON-schema request skips deployments without schema support")
    func schemaFilter() async throws {
        let router = try makeRouter(
            [deployment("loose", answering("loose")), deployment("strict", answering("strict"), capabilities: ModelCapabilities(jsonSchema: true))],
            group: ["loose", "strict"])
        var request = simpleRequest
        request.responseFormat = .jsonSchema(name: "answer", schema: ["type": "object"], strict: true)
        #expect(try await router.respond(to: request).routing?.deployment == "strict")
    }

    @Test("a prompt over a deployment's context window goes to one whose window fits it")
    func contextWindowFilter() async throws {
        let small = answering("small"), large = answering("large")
        let router = try makeRouter(
            [deployment("small", small, capabilities: ModelCapabilities(contextWindow: 1_000)),
             deployment("large", large, capabilities: ModelCapabilities(contextWindow: 100_000))],
            group: ["small"], fallbacks: ["large"])
        let long = ChatRequest(messages: [.user(String(repeating: "lorem ipsum dolor sit amet ", count: 2_000))])
        #expect(try await router.respond(to: long).routing?.deployment == "large")
        #expect(small.requests.isEmpty)
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "small")
    }

    @Test("a request no deployment can serve fails before any call, naming why")
    func nothingFits() async throws {
        let only = answering("only")
        let router = try makeRouter([deployment("only", only, capabilities: ModelCapabilities(contextWindow: 500))], group: ["only"])
        let long = ChatRequest(messages: [.user(String(repeating: "word ", count: 5_000))])
        await #expect(throws: LLMError.self) { try await router.respond(to: long) }
        do {
            _ = try await router.respond(to: long)
        } catch {
            #expect(error.kind == .contextLengthExceeded)
            #expect(error.message.contains("only cannot serve it"))
        }
        #expect(only.requests.isEmpty)
    }

    @Test("a tier whose deployments cannot serve the request borrows one from another route")
    func borrowsAcrossTiers() async throws {
        let router = try ModelRouter(
            deployments: [deployment("mini", answering("mini")),
                          deployment("vision", answering("vision"), capabilities: ModelCapabilities(vision: true))],
            routes: [.simple: Route(["mini"]), .medium: Route(["mini"]), .complex: Route(["vision"])],
            configuration: RouterConfiguration(defaultTier: .simple), clock: ManualClock())
        let request = ChatRequest(messages: [ChatMessage(role: .user, content: [.text("what is this?"), .imageURL("https://example.com/a.png")])])
        let routing = try await router.respond(to: request).routing
        #expect(routing?.deployment == "vision")
        #expect(routing?.reasons.contains { $0.contains("no deployment of tier 'medium'") || $0.contains("no deployment of tier 'simple'") } == true)
    }

    @Test("weighted round robin gives each deployment its weight's share, interleaved")
    func weightedRoundRobin() async throws {
        let router = try makeRouter(
            [deployment("a", answering("a"), weight: 3), deployment("b", answering("b"), weight: 1)], group: ["a", "b"])
        var picks: [String] = []
        for _ in 0..<8 { picks.append(try await router.respond(to: simpleRequest).routing!.deployment) }
        #expect(picks == ["a", "a", "b", "a", "a", "a", "b", "a"])
    }

    @Test("weighted random follows the weights for a seed, and the same seed repeats the same choices")
    func weightedRandom() async throws {
        func run(seed: UInt64) async throws -> [String] {
            let router = try makeRouter(
                [deployment("a", answering("a"), weight: 1), deployment("b", answering("b"), weight: 3)],
                group: ["a", "b"], balancing: .weightedRandom, seed: seed)
            var picks: [String] = []
            for _ in 0..<4_000 { picks.append(try await router.respond(to: simpleRequest).routing!.deployment) }
            return picks
        }
        let first = try await run(seed: 42)
        let share = Double(first.filter { $0 == "b" }.count) / Double(first.count)
        #expect(share > 0.72 && share < 0.78, "b has 3/4 of the weight, got \(share)")
        #expect(try await run(seed: 42) == first)
        #expect(try await run(seed: 43) != first)
    }

    @Test("least in-flight sends a request to the deployment that is not busy")
    func leastInFlight() async throws {
        let clock = ManualClock()
        func slow(_ name: String) -> ScriptedChatModel {
            ScriptedChatModel([.handler { _ throws(LLMError) in
                try? await clock.sleep(for: .seconds(5))
                return ChatResponse(message: .assistant(name), finishReason: .stop, model: name)
            }], whenExhausted: .repeatLast)
        }
        let router = try makeRouter([deployment("a", slow("a")), deployment("b", slow("b"))], group: ["a", "b"], balancing: .leastInFlight, clock: clock)
        let first = Task { try await router.respond(to: simpleRequest).routing!.deployment }
        await clock.waitForSleepers(count: 1)
        let second = Task { try await router.respond(to: simpleRequest).routing!.deployment }
        await clock.waitForSleepers(count: 2)
        #expect(router.status(of: "a")?.inFlight == 1 && router.status(of: "b")?.inFlight == 1)
        await clock.advance(by: .seconds(5))
        let (one, two) = (try await first.value, try await second.value)
        #expect(Set([one, two]) == ["a", "b"], "the second request went to the idle deployment")
    }

    @Test("lowest latency measures each deployment once, then prefers the fastest")
    func lowestLatency() async throws {
        let clock = ManualClock()
        func timed(_ name: String, _ latency: Duration) -> ScriptedChatModel {
            ScriptedChatModel([.handler { _ throws(LLMError) in
                await clock.advance(by: latency)
                return ChatResponse(message: .assistant(name), finishReason: .stop, model: name)
            }], whenExhausted: .repeatLast)
        }
        let router = try makeRouter(
            [deployment("slow", timed("slow", .milliseconds(900))), deployment("fast", timed("fast", .milliseconds(200)))],
            group: ["slow", "fast"], balancing: .lowestLatency, clock: clock)
        var picks: [String] = []
        for _ in 0..<12 { picks.append(try await router.respond(to: simpleRequest).routing!.deployment) }
        #expect(Set(picks.prefix(2)) == ["slow", "fast"], "unmeasured deployments are tried first")
        #expect(picks.dropFirst(2).allSatisfy { $0 == "fast" })
        #expect(router.status(of: "fast")?.averageLatency == .milliseconds(200))
    }

    @Test("lowest cost picks the cheapest deployment for the request")
    func lowestCost() async throws {
        let router = try makeRouter(
            [deployment("dear", answering("dear"), pricing: ModelPricing(input: 2.5, output: 10)),
             deployment("cheap", answering("cheap"), pricing: ModelPricing(input: 0.15, output: 0.6))],
            group: ["dear", "cheap"], balancing: .lowestCost)
        for _ in 0..<5 { #expect(try await router.respond(to: simpleRequest).routing?.deployment == "cheap") }
    }

    @Test("a bad configuration is refused with a message naming the problem")
    func validation() throws {
        let model = answering("x")
        #expect(throws: LLMError.self) { try makeRouter([deployment("a", model), deployment("a", model)], group: ["a"]) }
        #expect(throws: LLMError.self) { try makeRouter([deployment("a", model)], group: ["b"]) }
        #expect(throws: LLMError.self) { try makeRouter([deployment("a", model, weight: 0)], group: ["a"]) }
        do {
            _ = try ModelRouter(deployments: [deployment("a", model)], routes: [.simple: Route(["a"])])
            Issue.record("expected an error for a missing default route")
        } catch {
            #expect(error.kind == .badRequest)
            #expect(error.message.contains("default tier 'medium'"))
        }
    }
}
