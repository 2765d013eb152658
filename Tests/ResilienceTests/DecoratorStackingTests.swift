import LLMCore
import LLMTesting
import Testing

@testable import Resilience

private let request = ChatRequest(messages: [.user("hello")])

@Suite("Decorator stacking")
struct DecoratorStackingTests {
    @Test("retry outside the breaker sees circuitOpen as final: no retry, no call to the provider")
    func retryOutsideBreaker() async throws {
        let clock = ManualClock()
        let base = ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast)
        let breaker = try CircuitBreaker(clock: clock)
        breaker.forceOpen()
        let model = base.circuitBreaking(breaker).retrying(try Retrier(clock: clock))
        do {
            _ = try await model.respond(to: request)
            Issue.record("expected circuitOpen")
        } catch {
            #expect(error.kind == .circuitOpen)
        }
        #expect(base.requests.isEmpty)
        #expect(clock.sleeperCount == 0, "no backoff wait")
        #expect(breaker.metrics.rejectedCalls == 1)
    }

    @Test("retry inside the breaker: the breaker records one outcome per logical call")
    func breakerOutsideRetry() async throws {
        let clock = ManualClock()
        let failing = FaultInjectingChatModel(
            wrapping: ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast),
            plan: .sequence([.serverError, .serverError, nil, .serverError, .serverError, .serverError]), clock: clock)
        let breaker = try CircuitBreaker(configuration: .init(slidingWindow: .count(10), minimumCalls: 10), clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(initialDelay: .zero, maximumDelay: .zero), clock: clock)
        let model = failing.retrying(retrier).circuitBreaking(breaker)
        _ = try await model.respond(to: request)  // fails twice, then succeeds
        await #expect(throws: LLMError.self) { try await model.respond(to: request) }  // fails 3 times
        #expect(failing.callCount == 6)
        #expect(breaker.metrics.recordedCalls == 2)
        #expect(breaker.metrics.failedCalls == 1)
    }

    @Test("the whole stack streams an answer through")
    func fullStackStreams() async throws {
        let clock = ManualClock()
        let model = ScriptedChatModel([.text("hello world")])
            .timeout(try Timeout(limit: .seconds(30), streamIdle: .seconds(10), clock: clock))
            .bulkhead(try Bulkhead())
            .rateLimited(try RateLimiter<String>(.tokenBucket(capacity: 5, refill: 5, per: .seconds(1)), clock: clock)) { _ in "all" }
            .circuitBreaking(try CircuitBreaker(clock: clock))
            .retrying(try Retrier(clock: clock))
        let response = try await model.stream(request).response()
        #expect(response.text == "hello world")
    }

    @Test("a stream abandoned by its consumer releases the breaker's probe slot")
    func abandonedStreamReleasesPermit() async throws {
        let clock = ManualClock()
        let breaker = try CircuitBreaker(
            configuration: .init(slidingWindow: .count(1), minimumCalls: 1, openDuration: .fixed(.seconds(1)), halfOpenProbes: 1),
            clock: clock)
        try breaker.acquirePermit().failed(LLMError(kind: .server, message: "down"))
        await clock.advance(by: .seconds(1))
        let base = ScriptedChatModel([.events([.responseStarted(id: nil, model: "m"), .textDelta("a"), .textDelta("b")], thenFail: nil)])
        let model = base.circuitBreaking(breaker)
        for try await event in model.stream(request) {
            if case .textDelta = event { break }
        }
        // The producer notices the consumer left and releases the slot; wait for that.
        var admitted = false
        for _ in 0..<1_000 where !admitted {
            do {
                try breaker.acquirePermit().succeeded()
                admitted = true
            } catch {
                await Task.yield()
            }
        }
        #expect(admitted)
        #expect(breaker.state == .closed)
    }
}
