import LLMCore
import LLMTesting
import Synchronization
import Testing

@testable import Resilience

private let serverError = LLMError(kind: .server, message: "boom", httpStatus: 500)

/// Collects a breaker's state changes as they are announced.
private final class ChangeLog: Sendable {
    private let changes = Mutex<[String]>([])
    var entries: [String] { changes.withLock { $0 } }
    func record(_ change: CircuitBreaker.StateChange) {
        changes.withLock { $0.append("\(change.from.rawValue)→\(change.to.rawValue)") }
    }
}

private func makeBreaker(
    _ configuration: CircuitBreakerConfiguration, clock: ManualClock, log: ChangeLog = ChangeLog()
) throws -> CircuitBreaker {
    try CircuitBreaker(name: "test", configuration: configuration, clock: clock, onStateChange: log.record)
}

private func succeed(_ breaker: CircuitBreaker) throws { try breaker.acquirePermit().succeeded() }
private func fail(_ breaker: CircuitBreaker, _ error: LLMError = serverError) throws { try breaker.acquirePermit().failed(error) }

@Suite("CircuitBreaker")
struct CircuitBreakerTests {
    @Test("opens when the failure rate reaches the threshold, but not before the minimum number of calls")
    func opensOnFailureRate() throws {
        let clock = ManualClock()
        let log = ChangeLog()
        let breaker = try makeBreaker(.init(slidingWindow: .count(4), minimumCalls: 4), clock: clock, log: log)
        try fail(breaker)
        try fail(breaker)
        try fail(breaker)
        #expect(breaker.state == .closed, "3 calls are under the minimum of 4")
        try succeed(breaker)
        #expect(breaker.state == .open, "3 of 4 failed: 75% ≥ 50%")
        #expect(log.entries == ["closed→open"])
    }

    @Test("stays closed under the threshold; old outcomes leave a count window")
    func countWindowSlides() throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(4), failureRateThreshold: 0.75, minimumCalls: 4), clock: clock)
        try fail(breaker)
        try fail(breaker)
        try succeed(breaker)
        try succeed(breaker)  // window F F S S: 50%
        try succeed(breaker)  // window F S S S: 25%
        try fail(breaker)  // window S S S F: 25%
        #expect(breaker.state == .closed)
        #expect(breaker.metrics.recordedCalls == 4)
        #expect(breaker.metrics.failedCalls == 1)
        try fail(breaker)
        try fail(breaker)  // S F F F: 75%
        #expect(breaker.state == .open)
    }

    @Test("an open breaker rejects at once with circuitOpen and says when it will probe")
    func openRejects() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            .init(slidingWindow: .count(2), minimumCalls: 2, openDuration: .fixed(.seconds(30))), clock: clock)
        try fail(breaker)
        try fail(breaker)
        await clock.advance(by: .seconds(10))
        do {
            _ = try breaker.acquirePermit()
            Issue.record("an open breaker admitted a call")
        } catch {
            #expect(error.kind == .circuitOpen)
            #expect(error.retryAfter == .seconds(20))
            #expect(!error.isRetryable)
        }
        #expect(breaker.metrics.rejectedCalls == 1)
    }

    @Test("open → half-open after the wait; probes decide: all succeed → closed")
    func halfOpenCloses() async throws {
        let clock = ManualClock()
        let log = ChangeLog()
        let breaker = try makeBreaker(
            .init(slidingWindow: .count(2), minimumCalls: 2, openDuration: .fixed(.seconds(30)), halfOpenProbes: 2),
            clock: clock, log: log)
        try fail(breaker)
        try fail(breaker)
        await clock.advance(by: .seconds(29))
        #expect(breaker.state == .open)
        await clock.advance(by: .seconds(1))
        let first = try breaker.acquirePermit()
        let second = try breaker.acquirePermit()
        #expect(breaker.state == .halfOpen)
        #expect(throws: LLMError.self) { _ = try breaker.acquirePermit() }
        first.succeeded()
        #expect(breaker.state == .halfOpen, "one probe of two has reported")
        second.succeeded()
        #expect(breaker.state == .closed)
        #expect(log.entries == ["closed→open", "open→halfOpen", "halfOpen→closed"])
        #expect(breaker.metrics.recordedCalls == 0, "closing starts a fresh window")
    }

    @Test("a failed probe reopens the breaker, for longer each consecutive time, capped")
    func halfOpenReopensWithGrowingWait() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            .init(
                slidingWindow: .count(1), minimumCalls: 1,
                openDuration: .exponential(initial: .seconds(10), multiplier: 2, maximum: .seconds(25)), halfOpenProbes: 1),
            clock: clock)
        try fail(breaker)
        for expectedWait in [Duration.seconds(10), .seconds(20), .seconds(25), .seconds(25)] {
            do {
                _ = try breaker.acquirePermit()
                Issue.record("should be open")
            } catch {
                #expect(error.retryAfter == expectedWait)
            }
            await clock.advance(by: expectedWait)
            try fail(breaker)  // the probe fails
        }
        await clock.advance(by: .seconds(25))
        try succeed(breaker)
        #expect(breaker.state == .closed)
        try fail(breaker)
        do {
            _ = try breaker.acquirePermit()
        } catch {
            #expect(error.retryAfter == .seconds(10), "closing resets the growth")
        }
    }

    @Test("slow calls open the breaker at the slow-call threshold")
    func slowCalls() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            .init(
                slidingWindow: .count(4), slowCallRateThreshold: 0.5, slowCallDuration: .seconds(2), minimumCalls: 4),
            clock: clock)
        for slow in [true, false, false, true] {
            let permit = try breaker.acquirePermit()
            await clock.advance(by: slow ? .seconds(3) : .milliseconds(100))
            permit.succeeded()
        }
        #expect(breaker.state == .open)
        #expect(breaker.metrics.slowCalls == 2, "an open breaker's snapshot shows the window that opened it")
    }

    @Test("a time window forgets calls once their slice has aged out")
    func timeWindowExpiry() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .time(.seconds(10), buckets: 10), minimumCalls: 3), clock: clock)
        try fail(breaker)
        try fail(breaker)
        #expect(breaker.metrics.recordedCalls == 2)
        await clock.advance(by: .seconds(5))
        #expect(breaker.metrics.recordedCalls == 2)
        await clock.advance(by: .seconds(6))
        #expect(breaker.metrics.recordedCalls == 0)
        try fail(breaker)
        try succeed(breaker)
        #expect(breaker.state == .closed, "only 2 calls in the window, under the minimum of 3")
        await clock.advance(by: .seconds(1))
        try fail(breaker)
        #expect(breaker.state == .open, "2 of 3 failed within 10 seconds")
    }

    @Test("a probe that is cancelled or dropped gives its half-open slot back")
    func probePermitsDoNotLeak() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            .init(slidingWindow: .count(1), minimumCalls: 1, openDuration: .fixed(.seconds(1)), halfOpenProbes: 1),
            clock: clock)
        try fail(breaker)
        await clock.advance(by: .seconds(1))
        // A probe cancelled mid-call.
        let probe = Task {
            try await breaker.run { () async throws(LLMError) in
                do { try await clock.sleep(for: .seconds(60)) } catch { throw .cancelled() }
            }
        }
        await clock.waitForSleepers(count: 1)
        #expect(throws: LLMError.self) { _ = try breaker.acquirePermit() }
        probe.cancel()
        await #expect(throws: LLMError.self) { try await probe.value }
        #expect(breaker.state == .halfOpen, "cancellation is neutral")
        // A probe whose permit is simply dropped.
        do { _ = try breaker.acquirePermit() }
        // The slot is free again, and a success closes the breaker.
        try succeed(breaker)
        #expect(breaker.state == .closed)
    }

    @Test("outcomes of calls that started before the last state change are ignored")
    func lateResultsIgnored() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(
            .init(slidingWindow: .count(2), minimumCalls: 2, openDuration: .fixed(.seconds(5)), halfOpenProbes: 1),
            clock: clock)
        let late = try breaker.acquirePermit()
        try fail(breaker)
        try fail(breaker)
        #expect(breaker.state == .open)
        late.succeeded()
        #expect(breaker.state == .open, "a success from before the opening cannot close it")
        await clock.advance(by: .seconds(5))
        let lateProbeWindow = try breaker.acquirePermit()  // the only half-open probe
        breaker.forceOpen()
        breaker.reset()
        lateProbeWindow.failed(serverError)
        #expect(breaker.state == .closed)
        #expect(breaker.metrics.recordedCalls == 0)
    }

    @Test("forced open rejects everything; disabled admits everything and records nothing; reset closes")
    func manualStates() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(1), minimumCalls: 1), clock: ManualClock())
        breaker.forceOpen()
        #expect(breaker.state == .forcedOpen)
        #expect(throws: LLMError.self) { try succeed(breaker) }
        breaker.disable()
        for _ in 0..<5 { try fail(breaker) }
        #expect(breaker.state == .disabled)
        #expect(breaker.metrics.recordedCalls == 0)
        breaker.reset()
        #expect(breaker.state == .closed)
        try fail(breaker)
        #expect(breaker.state == .open)
    }

    @Test("by default only errors that say the provider is unhealthy count as failures")
    func defaultClassification() throws {
        let breaker = try makeBreaker(.init(slidingWindow: .count(10), minimumCalls: 1), clock: ManualClock())
        try fail(breaker, .cancelled())
        try fail(breaker, LLMError(kind: .rateLimited, message: "slow down", httpStatus: 429))
        #expect(breaker.metrics.recordedCalls == 0, "cancellation and rate limits are neutral")
        try fail(breaker, LLMError(kind: .badRequest, message: "bad", httpStatus: 400))
        #expect(breaker.metrics.recordedCalls == 1)
        #expect(breaker.metrics.failedCalls == 0, "a rejected request is a healthy provider")
        #expect(breaker.state == .closed)
        try fail(breaker, LLMError(kind: .timeout, message: "late"))
        #expect(breaker.metrics.failedCalls == 1)
    }

    @Test("state changes arrive on the async stream")
    func stateChangeStream() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(.init(slidingWindow: .count(1), minimumCalls: 1), clock: clock)
        let changes = breaker.stateChanges()
        try fail(breaker)
        breaker.reset()
        var iterator = changes.makeAsyncIterator()
        let first = await iterator.next()
        let second = await iterator.next()
        #expect(first?.from == .closed && first?.to == .open)
        #expect(second?.from == .open && second?.to == .closed)
        #expect(first?.breaker == "test")
    }

    @Test("invalid configurations are refused with a message naming the value")
    func validation() {
        for configuration in [
            CircuitBreakerConfiguration(slidingWindow: .count(0)),
            CircuitBreakerConfiguration(failureRateThreshold: 0),
            CircuitBreakerConfiguration(failureRateThreshold: 1.5),
            CircuitBreakerConfiguration(halfOpenProbes: 0),
            CircuitBreakerConfiguration(slidingWindow: .time(.zero, buckets: 10)),
        ] {
            #expect(throws: LLMError.self) { try CircuitBreaker(configuration: configuration, clock: ManualClock()) }
        }
    }
}
