import LLMCore
import LLMTesting
import ModelRouting
import Testing

/// $10 per million input tokens, $30 per million output tokens.
private let pricing = ModelPricing(input: 10, output: 30)
/// 100 tokens in and 100 out: exactly $0.004 at `pricing`.
private let usage = Usage(inputTokens: 100, outputTokens: 100)

private func request(user: String, maxOutput: Int) -> ChatRequest {
    ChatRequest(messages: [.user("Summarise our refund policy.")], maxOutputTokens: maxOutput, user: user)
}

@Suite("Budgets, cost accounting and routing records")
struct BudgetAndLedgerTests {
    @Test("a request whose estimate would pass the budget is rejected before any call; actual costs are reconciled after")
    func perKeyBudget() async throws {
        let clock = ManualClock()
        let model = answering("m", usage: usage)
        let router = try makeRouter(
            [deployment("m", model, pricing: pricing)], group: ["m"],
            budgets: [Budget(.perKey, limit: Cost(dollars: "0.10")!, per: .every(.seconds(86_400)))], clock: clock)

        // A 4,000-token output limit alone is estimated at $0.12: refused without calling.
        do {
            _ = try await router.respond(to: request(user: "alice", maxOutput: 4_000))
            Issue.record("expected budgetExceeded")
        } catch {
            #expect(error.kind == .budgetExceeded)
            #expect(error.retryAfter == .seconds(86_400))
            #expect(error.message.contains("the budget of 'alice'"))
        }
        #expect(model.requests.isEmpty)

        // Each 1,000-token request is estimated at $0.03013 but costs $0.004: the reservation is
        // replaced by the actual cost, so 18 fit where three estimates would not.
        for _ in 0..<18 { _ = try await router.respond(to: request(user: "alice", maxOutput: 1_000)) }
        #expect(router.ledger.spending(key: "alice").cost == Cost(dollars: "0.072")!)
        await #expect(throws: LLMError.self) { try await router.respond(to: request(user: "alice", maxOutput: 1_000)) }
        #expect(model.requests.count == 18)

        // Another key has its own budget; a new period starts from zero.
        _ = try await router.respond(to: request(user: "bob", maxOutput: 1_000))
        await clock.advance(by: .seconds(86_400))
        _ = try await router.respond(to: request(user: "alice", maxOutput: 1_000))
        #expect(router.ledger.spending(key: "alice").cost == Cost(dollars: "0.076")!, "the ledger keeps the lifetime total")
    }

    @Test("calls in flight hold their estimate, so concurrent requests cannot overspend together")
    func reservationsInFlight() async throws {
        let clock = ManualClock()
        let slow = ScriptedChatModel([.handler { _ throws(LLMError) in
            try? await clock.sleep(for: .seconds(1))
            return ChatResponse(message: .assistant("ok"), finishReason: .stop, usage: usage, model: "slow")
        }], whenExhausted: .repeatLast)
        let router = try makeRouter(
            [deployment("slow", slow, pricing: pricing)], group: ["slow"],
            budgets: [Budget(.global, limit: Cost(dollars: "0.05")!, per: .lifetime)], clock: clock)
        let first = Task { try await router.respond(to: request(user: "a", maxOutput: 1_000)) }
        await clock.waitForSleepers(count: 1)
        do {
            _ = try await router.respond(to: request(user: "b", maxOutput: 1_000))
            Issue.record("expected the global budget to refuse while the first call holds its reservation")
        } catch {
            #expect(error.kind == .budgetExceeded)
            #expect(error.message.contains("reserved by calls in flight"))
        }
        await clock.advance(by: .seconds(1))
        _ = try await first.value
        // Settled at its actual $0.004, the first call leaves room for the second.
        let second = Task { try await router.respond(to: request(user: "b", maxOutput: 1_000)) }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(1))
        _ = try await second.value
        #expect(router.ledger.total == Cost(dollars: "0.008")!)
    }

    @Test("a cheaper fallback is used when the first choice would break the budget")
    func budgetSkipsToCheaper() async throws {
        let dear = answering("dear", usage: usage), cheap = answering("cheap", usage: usage)
        let router = try makeRouter(
            [deployment("dear", dear, pricing: ModelPricing(input: 100, output: 300)), deployment("cheap", cheap, pricing: pricing)],
            group: ["dear"], fallbacks: ["cheap"],
            budgets: [Budget(.key("carol"), limit: Cost(dollars: "0.05")!, per: .lifetime)])
        let routing = try #require(try await router.respond(to: request(user: "carol", maxOutput: 1_000)).routing)
        #expect(routing.deployment == "cheap")
        #expect(routing.fallbacks.isEmpty, "nothing was called before the cheap deployment")
        #expect(routing.reasons.contains { $0.hasPrefix("skipped dear:") })
        #expect(dear.requests.isEmpty)
    }

    @Test("every response says which deployment answered, its tier, strategy, latency and exact cost")
    func routingRecord() async throws {
        let clock = ManualClock()
        let model = ScriptedChatModel([.handler { _ throws(LLMError) in
            await clock.advance(by: .milliseconds(250))
            return ChatResponse(message: .assistant("hi"), finishReason: .stop, usage: Usage(inputTokens: 1_234, outputTokens: 567), model: "mini")
        }], whenExhausted: .repeatLast)
        let price = ModelPricing(input: 0.15, output: 0.6)
        let router = try ModelRouter(
            deployments: [deployment("mini", model, pricing: price)],
            routes: [.simple: Route(["mini"]), .medium: Route(["mini"]), .complex: Route(["mini"])],
            classifier: HeuristicClassifier(), clock: clock)
        var streamed = 0
        for index in 0..<1_000 {
            var request = simpleRequest
            request.user = index.isMultiple(of: 2) ? "even" : "odd"
            let response: ChatResponse
            if index.isMultiple(of: 10) {
                response = try await router.stream(request).response()
                streamed += 1
            } else {
                response = try await router.respond(to: request)
            }
            let routing = try #require(response.routing)
            #expect(routing.deployment == "mini")
            #expect(routing.tier == "simple")
            #expect(routing.strategy == "weightedRoundRobin")
            #expect(routing.latency == .milliseconds(250))
            #expect(routing.cost == price.cost(of: response.usage))
            #expect(routing.reasons.first?.hasPrefix("heuristic score 0") == true)
        }
        let one = price.cost(of: Usage(inputTokens: 1_234, outputTokens: 567))
        #expect(one == Cost(picodollars: 525_300_000))
        let snapshot = router.ledger.snapshot()
        #expect(snapshot.total.cost == one * 1_000, "a thousand additions are exact")
        #expect(snapshot.byDeployment["mini"]?.requests == 1_000)
        #expect(snapshot.byKey["even"]?.cost == one * 500 && snapshot.byKey["odd"]?.cost == one * 500)
        #expect(snapshot.byPeriod[0]?.usage.inputTokens == 1_234_000)
        #expect(streamed == 100)
    }
}
