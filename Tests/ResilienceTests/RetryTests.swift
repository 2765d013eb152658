import LLMCore
import LLMTesting
import Synchronization
import Testing

@testable import Resilience

private let request = ChatRequest(messages: [.user("hello")])

private func failingThen(_ faults: [Fault?], clock: ManualClock) -> FaultInjectingChatModel<ScriptedChatModel> {
    FaultInjectingChatModel(
        wrapping: ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast), plan: .sequence(faults), clock: clock)
}

@Suite("Retry")
struct RetryTests {
    @Test("backoff delays follow AWS's formulas for every jitter mode, draw for draw", arguments: RetryPolicy.Jitter.allCases)
    func backoffFormulas(jitter: RetryPolicy.Jitter) {
        let policy = RetryPolicy(initialDelay: .milliseconds(500), multiplier: 2, maximumDelay: .seconds(8), jitter: jitter)
        var random = SeededRandomNumberGenerator(seed: 7)
        var reference = SeededRandomNumberGenerator(seed: 7)
        var previous = 0.5
        for retry in 1...8 {
            let delay = policy.backoff(forRetry: retry, previousDelay: .seconds(previous), using: &random).seconds
            let exponential = min(8, 0.5 * Double(1 << (retry - 1)))
            let expected: Double
            switch jitter {
            case .none: expected = exponential
            case .full: expected = Double.random(in: 0...exponential, using: &reference)
            case .equal: expected = exponential / 2 + Double.random(in: 0...(exponential / 2), using: &reference)
            case .decorrelated: expected = min(8, Double.random(in: 0.5...max(0.5, previous * 3), using: &reference))
            }
            #expect(abs(delay - expected) < 1e-9, "retry \(retry)")
            #expect(delay >= 0 && delay <= 8)
            previous = delay
        }
    }

    @Test("retries on the clock with the policy's delays, then succeeds")
    func retriesWithDelays() async throws {
        let clock = ManualClock()
        let model = failingThen([.overloaded, .serverError], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(jitter: .none), clock: clock)
        let call = Task { try await model.retrying(retrier).respond(to: request) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == .init(offset: .milliseconds(500)))
        await clock.advance(by: .milliseconds(500))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == .init(offset: .milliseconds(1500)))
        await clock.advance(by: .seconds(1))
        #expect(try await call.value.text == "ok")
        #expect(model.callCount == 3)
    }

    @Test("Retry-After is a floor for the wait")
    func honoursRetryAfter() async throws {
        let clock = ManualClock()
        let model = failingThen([.rateLimited(retryAfter: .seconds(5))], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(jitter: .none), clock: clock)
        let call = Task { try await model.retrying(retrier).respond(to: request) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == .init(offset: .seconds(5)))
        await clock.advance(by: .seconds(5))
        #expect(try await call.value.text == "ok")
    }

    @Test("a Retry-After beyond the cap is not waited for: the error returns at once")
    func retryAfterTooLong() async throws {
        let clock = ManualClock()
        let model = failingThen([.rateLimited(retryAfter: .seconds(120))], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(maximumRetryAfter: .seconds(60)), clock: clock)
        do {
            _ = try await model.retrying(retrier).respond(to: request)
            Issue.record("expected the rate limit")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(error.message.contains("maximumRetryAfter"))
        }
        #expect(model.callCount == 1)
        #expect(clock.now == .init(offset: .zero))
    }

    @Test("errors the policy does not retry are returned unchanged after one attempt")
    func nonRetryable() async throws {
        let clock = ManualClock()
        let bad = LLMError(kind: .badRequest, message: "no", httpStatus: 400)
        let model = ScriptedChatModel([.failure(bad), .text("never")])
        let retrier = try Retrier(clock: clock)
        await #expect(throws: bad) { try await model.retrying(retrier).respond(to: request) }
        #expect(model.remainingSteps == 1)
    }

    @Test("gives up after maxAttempts with the last error, saying why")
    func attemptsExhausted() async throws {
        let clock = ManualClock()
        let model = failingThen([.serverError, .serverError, .serverError], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(maxAttempts: 3, initialDelay: .zero, maximumDelay: .zero), clock: clock)
        do {
            _ = try await model.retrying(retrier).respond(to: request)
            Issue.record("expected failure")
        } catch {
            #expect(error.kind == .server)
            #expect(error.message.contains("all 3 attempts failed"))
        }
        #expect(model.callCount == 3)
    }

    @Test("a shared budget stops retries when most attempts fail, and successes refill it")
    func budgetExhaustion() async throws {
        let clock = ManualClock()
        let budget = RetryBudget(maxTokens: 4, tokenRatio: 0.5)
        let policy = RetryPolicy(maxAttempts: 3, initialDelay: .zero, maximumDelay: .zero)
        let failing = FaultInjectingChatModel(
            wrapping: ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast),
            plan: .sequence([.serverError], repeating: true), clock: clock)
        let model = failing.retrying(try Retrier(policy: policy, budget: budget, clock: clock))
        // 4 tokens: the first failure leaves 3 (> 2, retry), the second 2 (not > 2, stop).
        await #expect(throws: LLMError.self) { try await model.respond(to: request) }
        #expect(failing.callCount == 2)
        do {
            _ = try await model.respond(to: request)
        } catch {
            #expect(error.message.contains("retry budget"))
        }
        #expect(failing.callCount == 3, "with the budget spent, a call makes its first attempt only")
        // Successes elsewhere refill the budget.
        let healthy = ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast)
            .retrying(try Retrier(policy: policy, budget: budget, clock: clock))
        for _ in 0..<4 { _ = try await healthy.respond(to: request) }
        #expect(budget.allowsRetry)
    }

    @Test("cancellation during a backoff wait ends the call at once")
    func cancellationMidBackoff() async throws {
        let clock = ManualClock()
        let model = failingThen([.serverError], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(initialDelay: .seconds(10), maximumDelay: .seconds(60), jitter: .none), clock: clock)
        let call = Task { try await model.retrying(retrier).respond(to: request) }
        await clock.waitForSleepers(count: 1)
        call.cancel()
        do {
            _ = try await call.value
            Issue.record("expected cancellation")
        } catch let error as LLMError {
            #expect(error.kind == .cancelled)
        }
        #expect(model.callCount == 1)
        #expect(clock.now == .init(offset: .zero))
    }

    @Test("no retry starts past the deadline")
    func deadline() async throws {
        let clock = ManualClock()
        let model = failingThen([.serverError, .serverError, .serverError], clock: clock)
        let retrier = try Retrier(
            policy: RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(500), jitter: .none, deadline: .seconds(1)), clock: clock)
        let call = Task { try await model.retrying(retrier).respond(to: request) }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .milliseconds(500))  // second attempt at 0.5 s fails; the next would wait 1 s → 1.5 s
        do {
            _ = try await call.value
            Issue.record("expected the deadline to stop retries")
        } catch let error as LLMError {
            #expect(error.kind == .server)
            #expect(error.message.contains("deadline"))
        }
        #expect(model.callCount == 2)
    }

    @Test("a stream is retried when it fails before any content, and the consumer sees one clean answer")
    func streamRetryBeforeContent() async throws {
        let clock = ManualClock()
        let model = failingThen([.streamCut(afterEvents: 1)], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(initialDelay: .zero, maximumDelay: .zero), clock: clock)
        var events: [ChatStreamEvent] = []
        for try await event in model.retrying(retrier).stream(request) { events.append(event) }
        let started = events.filter { if case .responseStarted = $0 { true } else { false } }
        #expect(started.count == 1, "the failed attempt's response-started event was held back")
        #expect(events.contains(.textDelta("ok")))
        #expect(model.callCount == 2)
    }

    @Test("a stream that fails after content has been forwarded is not retried")
    func streamNoRetryAfterContent() async throws {
        let clock = ManualClock()
        let model = failingThen([.streamCut(afterEvents: 2)], clock: clock)
        let retrier = try Retrier(policy: RetryPolicy(initialDelay: .zero, maximumDelay: .zero), clock: clock)
        var texts: [String] = []
        do {
            for try await event in model.retrying(retrier).stream(request) {
                if case .textDelta(let text) = event { texts.append(text) }
            }
            Issue.record("expected the cut to surface")
        } catch {
            #expect(error.kind == .transport)
        }
        #expect(texts == ["ok"])
        #expect(model.callCount == 1)
    }

    @Test("an invalid policy is refused")
    func validation() {
        #expect(throws: LLMError.self) { try Retrier(policy: RetryPolicy(maxAttempts: 0)) }
        #expect(throws: LLMError.self) { try Retrier(policy: RetryPolicy(multiplier: 0.5)) }
        #expect(throws: LLMError.self) { try Retrier(policy: RetryPolicy(initialDelay: .seconds(10), maximumDelay: .seconds(1))) }
    }
}
