import LLMCore
import LLMTesting
import Testing

@testable import Resilience

private let request = ChatRequest(messages: [.user("hello")])

private func slowModel(_ delay: Duration, clock: ManualClock) -> FaultInjectingChatModel<ScriptedChatModel> {
    FaultInjectingChatModel(
        wrapping: ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast), plan: .sequence([.latency(delay)], repeating: true),
        clock: clock)
}

@Suite("Bulkhead and Timeout")
struct BulkheadAndTimeoutTests {
    @Test("a bulkhead runs its maximum, queues up to its limit and rejects beyond it")
    func bulkheadLimits() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(maxConcurrentCalls: 1, maxQueuedCalls: 1)
        let model = slowModel(.seconds(1), clock: clock).bulkhead(bulkhead)
        let first = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 1)
        let second = Task { try await model.respond(to: request) }
        while bulkhead.queuedCalls < 1 { await Task.yield() }
        do {
            _ = try await model.respond(to: request)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.kind == .bulkheadFull)
            #expect(error.isRetryable)
        }
        #expect(bulkhead.rejectedCalls == 1)
        await clock.advance(by: .seconds(1))
        _ = try await first.value
        await clock.waitForSleepers(count: 1)
        #expect(bulkhead.runningCalls == 1 && bulkhead.queuedCalls == 0, "the slot passed to the waiter")
        await clock.advance(by: .seconds(1))
        _ = try await second.value
        #expect(bulkhead.runningCalls == 0)
    }

    @Test("a cancelled waiter leaves the bulkhead's queue")
    func bulkheadCancellation() async throws {
        let clock = ManualClock()
        let bulkhead = try Bulkhead(maxConcurrentCalls: 1, maxQueuedCalls: 1)
        let model = slowModel(.seconds(1), clock: clock).bulkhead(bulkhead)
        let first = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 1)
        let waiting = Task { try await model.respond(to: request) }
        while bulkhead.queuedCalls < 1 { await Task.yield() }
        waiting.cancel()
        await #expect(throws: LLMError.self) { try await waiting.value }
        #expect(bulkhead.queuedCalls == 0)
        await clock.advance(by: .seconds(1))
        _ = try await first.value
        #expect(bulkhead.runningCalls == 0)
    }

    @Test("a call that outlasts its limit is cancelled and fails with timeout")
    func callTimeout() async throws {
        let clock = ManualClock()
        let model = slowModel(.seconds(10), clock: clock).timeout(try Timeout(limit: .seconds(5), clock: clock))
        let call = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 2)
        await clock.advance(by: .seconds(5))
        do {
            _ = try await call.value
            Issue.record("expected a timeout")
        } catch let error as LLMError {
            #expect(error.kind == .timeout)
        }
        #expect(clock.sleeperCount == 0, "the slow call was cancelled, not left sleeping")
    }

    @Test("a call within its limit returns its answer")
    func callInTime() async throws {
        let clock = ManualClock()
        let model = slowModel(.seconds(1), clock: clock).timeout(try Timeout(limit: .seconds(5), clock: clock))
        let call = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 2)
        await clock.advance(by: .seconds(1))
        #expect(try await call.value.text == "ok")
    }

    @Test("a stream that goes quiet for longer than the idle limit fails with timeout")
    func streamIdle() async throws {
        let clock = ManualClock()
        let model = slowModel(.seconds(10), clock: clock)
            .timeout(try Timeout(limit: .seconds(60), streamIdle: .seconds(3), clock: clock))
        let consume = Task {
            for try await _ in model.stream(request) {}
        }
        await clock.waitForSleepers(count: 2)
        await clock.advance(by: .seconds(3))
        do {
            try await consume.value
            Issue.record("expected a timeout")
        } catch let error as LLMError {
            #expect(error.kind == .timeout)
            #expect(error.message.contains("sent nothing"))
        }
    }

    @Test("a cancelled caller gets cancelled, not timeout")
    func cancellationIsNotTimeout() async throws {
        let clock = ManualClock()
        let model = slowModel(.seconds(10), clock: clock).timeout(try Timeout(limit: .seconds(5), clock: clock))
        let call = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 2)
        call.cancel()
        do {
            _ = try await call.value
            Issue.record("expected cancellation")
        } catch let error as LLMError {
            #expect(error.kind == .cancelled)
        }
    }
}
