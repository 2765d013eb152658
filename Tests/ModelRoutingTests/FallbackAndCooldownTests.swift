import LLMCore
import LLMTesting
import ModelRouting
import Testing

@Suite("Fallbacks and cooldowns")
struct FallbackAndCooldownTests {
    @Test("each retryable error kind falls back to the next deployment and is recorded", arguments: [
        LLMError.Kind.rateLimited, .overloaded, .server, .timeout, .transport, .decoding, .authentication, .notFound,
    ])
    func fallsBack(on kind: LLMError.Kind) async throws {
        let primary = ScriptedChatModel([.failure(error(kind))], whenExhausted: .repeatLast)
        let router = try makeRouter([deployment("primary", primary), deployment("backup", answering("backup"))], group: ["primary"], fallbacks: ["backup"])
        let routing = try #require(try await router.respond(to: simpleRequest).routing)
        #expect(routing.deployment == "backup")
        #expect(routing.fallbacks.map(\.deployment) == ["primary"])
        #expect(routing.fallbacks.first?.error == kind)
    }

    @Test("a malformed request is not sent to the fallback")
    func badRequestIsFinal() async throws {
        let backup = answering("backup")
        let router = try makeRouter(
            [deployment("primary", ScriptedChatModel([.failure(error(.badRequest))])), deployment("backup", backup)],
            group: ["primary"], fallbacks: ["backup"])
        await #expect(throws: LLMError.self) { try await router.respond(to: simpleRequest) }
        #expect(backup.requests.isEmpty)
    }

    @Test("a context-length error skips fallbacks with no larger window")
    func contextLengthGoesLarger() async throws {
        let same = answering("same"), larger = answering("larger")
        let router = try makeRouter(
            [deployment("small", ScriptedChatModel([.failure(error(.contextLengthExceeded))]), capabilities: ModelCapabilities(contextWindow: 8_000)),
             deployment("same", same, capabilities: ModelCapabilities(contextWindow: 8_000)),
             deployment("larger", larger, capabilities: ModelCapabilities(contextWindow: 200_000))],
            group: ["small"], fallbacks: ["same", "larger"])
        let routing = try #require(try await router.respond(to: simpleRequest).routing)
        #expect(routing.deployment == "larger")
        #expect(same.requests.isEmpty)
    }

    @Test("a context-length error with no larger window in the route finds one elsewhere")
    func contextLengthOutsideRoute() async throws {
        let router = try ModelRouter(
            deployments: [
                deployment("small", ScriptedChatModel([.failure(error(.contextLengthExceeded))]), capabilities: ModelCapabilities(contextWindow: 8_000)),
                deployment("huge", answering("huge"), capabilities: ModelCapabilities(contextWindow: 1_000_000)),
            ],
            routes: [.medium: Route(["small"]), .complex: Route(["huge"])], clock: ManualClock())
        let routing = try #require(try await router.respond(to: simpleRequest).routing)
        #expect(routing.deployment == "huge")
        #expect(routing.reasons.contains { $0.contains("context window was too small") })
    }

    @Test("a content-filter refusal goes to another provider, not the same one")
    func contentFilterChangesProvider() async throws {
        let sibling = answering("sibling"), other = answering("other")
        let router = try makeRouter(
            [deployment("openai-a", ScriptedChatModel([.failure(error(.contentFiltered))]), provider: "openai"),
             deployment("openai-b", sibling, provider: "openai"),
             deployment("anthropic", other, provider: "anthropic")],
            group: ["openai-a"], fallbacks: ["openai-b", "anthropic"])
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "anthropic")
        #expect(sibling.requests.isEmpty)
    }

    @Test("when every deployment fails, the last error is returned listing all of them")
    func allFail() async throws {
        let router = try makeRouter(
            [deployment("a", ScriptedChatModel([.failure(error(.server))])), deployment("b", ScriptedChatModel([.failure(error(.overloaded))]))],
            group: ["a"], fallbacks: ["b"])
        do {
            _ = try await router.respond(to: simpleRequest)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .overloaded)
            #expect(error.message.contains("a (server), b (overloaded)"))
        }
    }

    @Test("a deployment that keeps failing cools down, is skipped, and comes back after a good probe")
    func cooldownEntryAndExit() async throws {
        let clock = ManualClock()
        let flaky = ScriptedChatModel([.failure(error(.server)), .failure(error(.server)), .failure(error(.server))])
        let router = try makeRouter([deployment("flaky", flaky), deployment("steady", answering("steady"))], group: ["flaky"], fallbacks: ["steady"], clock: clock)
        for _ in 0..<3 { #expect(try await router.respond(to: simpleRequest).routing?.deployment == "steady") }
        #expect(router.status(of: "flaky")?.breaker == .open)

        let skipped = try #require(try await router.respond(to: simpleRequest).routing)
        #expect(skipped.deployment == "steady" && skipped.fallbacks.isEmpty)
        #expect(skipped.reasons.contains("cooling down: flaky"))
        #expect(flaky.requests.count == 3, "not called while cooling")

        flaky.append([.text("recovered", model: "flaky")])
        await clock.advance(by: .seconds(30))
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "flaky")
        #expect(router.status(of: "flaky")?.breaker == .closed)
    }

    @Test("a 429 benches a deployment for its Retry-After")
    func rateLimitBench() async throws {
        let clock = ManualClock()
        let limited = ScriptedChatModel([.failure(error(.rateLimited, retryAfter: .seconds(20))), .text("back", model: "limited")])
        let router = try makeRouter([deployment("limited", limited), deployment("other", answering("other"))], group: ["limited"], fallbacks: ["other"], clock: clock)
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "other")
        #expect(router.status(of: "limited")?.rateLimitedFor == .seconds(20))
        await clock.advance(by: .seconds(19))
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "other")
        await clock.advance(by: .seconds(1))
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "limited")
    }

    @Test("a single deployment is never cooled into an outage")
    func singleDeploymentIsTriedAnyway() async throws {
        let clock = ManualClock()
        let only = ScriptedChatModel([.failure(error(.server)), .failure(error(.server)), .failure(error(.server)), .text("fine", model: "only")])
        let router = try makeRouter([deployment("only", only)], group: ["only"], clock: clock)
        for _ in 0..<3 { await #expect(throws: LLMError.self) { try await router.respond(to: simpleRequest) } }
        #expect(router.status(of: "only")?.breaker == .open)
        let routing = try #require(try await router.respond(to: simpleRequest).routing)
        #expect(routing.deployment == "only")
        #expect(routing.reasons.contains { $0.contains("least recently failed") })
        #expect(router.status(of: "only")?.breaker == .closed, "a good answer ends the cooldown")
    }

    @Test("when everything cools down, the least recently failed deployment is tried")
    func leastRecentlyFailed() async throws {
        let clock = ManualClock()
        let a = ScriptedChatModel([.failure(error(.rateLimited, retryAfter: .seconds(60))), .text("a", model: "a")])
        let b = ScriptedChatModel([
            .failure(error(.rateLimited, retryAfter: .seconds(1))), .failure(error(.rateLimited, retryAfter: .seconds(60))), .text("b", model: "b"),
        ])
        let router = try makeRouter([deployment("a", a), deployment("b", b)], group: ["b"], fallbacks: ["a"], clock: clock)
        _ = try? await router.respond(to: simpleRequest)  // t=0: b and a both fail; b is benched for 1 s, a for 60 s
        await clock.advance(by: .seconds(2))
        _ = try? await router.respond(to: simpleRequest)  // t=2: b fails again; a is still benched
        await clock.advance(by: .seconds(1))
        // Both benched; b comes first in the route, but a failed longer ago.
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "a")
    }

    @Test("deployments forced open by an operator are respected, with an error that says so")
    func forcedOpen() async throws {
        let only = answering("only")
        let router = try makeRouter([deployment("only", only)], group: ["only"])
        _ = try await router.respond(to: simpleRequest)
        router.breaker(of: "only")?.forceOpen()
        do {
            _ = try await router.respond(to: simpleRequest)
            Issue.record("expected circuitOpen")
        } catch {
            #expect(error.kind == .circuitOpen && error.message.contains("forced open"))
        }
        #expect(only.requests.count == 1)
    }

    @Test("a local requests-per-minute limit sends the overflow to the fallback, or says when to retry")
    func requestsPerMinute() async throws {
        let clock = ManualClock()
        let router = try makeRouter(
            [deployment("capped", answering("capped"), requestsPerMinute: 2), deployment("spare", answering("spare"))],
            group: ["capped"], fallbacks: ["spare"], clock: clock)
        let picks = try await (0..<3).asyncMap { _ in try await router.respond(to: simpleRequest).routing!.deployment }
        #expect(picks == ["capped", "capped", "spare"])

        let alone = try makeRouter([deployment("capped", answering("capped"), requestsPerMinute: 1)], group: ["capped"], clock: clock)
        _ = try await alone.respond(to: simpleRequest)
        do {
            _ = try await alone.respond(to: simpleRequest)
            Issue.record("expected a rate-limit error")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(error.retryAfter != nil)
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
