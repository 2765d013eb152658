import LLMCore
import LLMTesting
import Synchronization
import Testing

@testable import Resilience

/// Records the order in which tasks finished.
private final class Order: Sendable {
    private let names = Mutex<[String]>([])
    var finished: [String] { names.withLock { $0 } }
    func append(_ name: String) { names.withLock { $0.append(name) } }
}

private func waitForWaiters<Key>(_ limiter: RateLimiter<Key>, key: Key, count: Int) async {
    while limiter.waiterCount(for: key) < count { await Task.yield() }
}

@Suite("RateLimiter")
struct RateLimiterTests {
    @Test("a token bucket allows a burst of its capacity, then refills at its rate")
    func tokenBucketRefill() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 2, refill: 1, per: .seconds(1)), clock: clock)
        #expect(limiter.tryAcquire(for: "a") == .granted)
        #expect(limiter.tryAcquire(for: "a") == .granted)
        guard case .denied(let retryAfter?) = limiter.tryAcquire(for: "a") else {
            Issue.record("the third call should be denied with a wait")
            return
        }
        #expect(abs(retryAfter.seconds - 1) < 1e-6)
        #expect(limiter.tryAcquire(for: "b") == .granted, "keys are limited separately")
        await clock.advance(by: .milliseconds(500))
        #expect(limiter.tryAcquire(for: "a") != .granted)
        await clock.advance(by: .milliseconds(500))
        #expect(limiter.tryAcquire(for: "a") == .granted)
        await clock.advance(by: .seconds(10))
        #expect(abs(limiter.availablePermits(for: "a") - 2) < 1e-9, "never more than the capacity")
    }

    @Test("a sliding window counter weights the previous window by the part still covered")
    func slidingWindowEstimate() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.slidingWindow(limit: 10, window: .seconds(10)), clock: clock)
        try await limiter.acquire(10, for: "k")
        #expect(limiter.tryAcquire(for: "k") != .granted)
        await clock.advance(by: .seconds(10))
        #expect(abs(limiter.availablePermits(for: "k")) < 1e-9, "the whole previous window still counts")
        await clock.advance(by: .seconds(5))
        #expect(abs(limiter.availablePermits(for: "k") - 5) < 1e-9, "half of it counts halfway through")
        #expect(limiter.tryAcquire(5, for: "k") == .granted)
        #expect(limiter.tryAcquire(for: "k") != .granted)
        await clock.advance(by: .seconds(20))
        #expect(abs(limiter.availablePermits(for: "k") - 10) < 1e-9)
    }

    @Test("the sliding window's wait estimate is when the permits actually become available")
    func slidingWindowWait() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.slidingWindow(limit: 10, window: .seconds(10)), clock: clock)
        try await limiter.acquire(10, for: "k")
        await clock.advance(by: .seconds(2))
        let waiter = Task { try await limiter.acquire(4, for: "k") }
        await clock.waitForSleepers(count: 1)
        // Next window starts at 10 s with 10 counted; 4 fit once 10 × (1 − f) ≤ 6, f = 0.4: at 14 s.
        let deadline = try #require(clock.nextDeadline)
        #expect(abs(deadline.offset.seconds - 14) < 1e-6)
        await clock.advance(to: deadline)
        try await waiter.value
    }

    @Test("waiters are served in arrival order, and tryAcquire does not jump the line")
    func fairness() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 1, refill: 1, per: .seconds(1)), clock: clock)
        #expect(limiter.tryAcquire(for: "k") == .granted)
        let order = Order()
        var tasks: [Task<Void, any Error>] = []
        for (index, name) in ["A", "B", "C"].enumerated() {
            tasks.append(Task {
                try await limiter.acquire(for: "k")
                order.append(name)
            })
            await waitForWaiters(limiter, key: "k", count: index + 1)
        }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(1))
        while order.finished.count < 1 { await Task.yield() }
        #expect(order.finished == ["A"])
        await clock.waitForSleepers(count: 1)  // B, now first in line, waits for the next token.
        await clock.advance(by: .milliseconds(999))
        #expect(limiter.tryAcquire(for: "k") != .granted)
        await clock.advance(by: .milliseconds(1))
        #expect(limiter.tryAcquire(for: "k") != .granted, "B is waiting; a newcomer cannot take its token")
        while order.finished.count < 2 { await Task.yield() }
        await clock.waitForSleepers(count: 1)  // C, now first in line.
        await clock.advance(by: .seconds(1))
        for task in tasks { try await task.value }
        #expect(order.finished == ["A", "B", "C"])
    }

    @Test("a cancelled waiter leaves the line and the others are still served")
    func cancelledWaiter() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 1, refill: 1, per: .seconds(1)), clock: clock)
        try await limiter.acquire(for: "k")
        let first = Task { try await limiter.acquire(for: "k") }
        await waitForWaiters(limiter, key: "k", count: 1)
        let second = Task { try await limiter.acquire(for: "k") }
        await waitForWaiters(limiter, key: "k", count: 2)
        second.cancel()
        do {
            try await second.value
            Issue.record("expected cancellation")
        } catch let error as LLMError {
            #expect(error.kind == .cancelled)
        }
        #expect(limiter.waiterCount(for: "k") == 1)
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(1))
        try await first.value
        #expect(limiter.waiterCount(for: "k") == 0)
        // Cancelling the waiter at the head hands the line on too.
        let head = Task { try await limiter.acquire(for: "k") }
        await clock.waitForSleepers(count: 1)
        let next = Task { try await limiter.acquire(for: "k") }
        await waitForWaiters(limiter, key: "k", count: 2)
        head.cancel()
        await #expect(throws: LLMError.self) { try await head.value }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(1))
        try await next.value
    }

    @Test("weighted reservations are reconciled with actual usage, overdrawing when usage was higher")
    func reservations() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 100, refill: 100, per: .seconds(60)), clock: clock)
        try await limiter.acquire(80, for: "k")
        #expect(abs(limiter.availablePermits(for: "k") - 20) < 1e-9)
        limiter.reconcile(reserved: 80, actual: 30, for: "k")
        #expect(abs(limiter.availablePermits(for: "k") - 70) < 1e-9)
        try await limiter.acquire(70, for: "k")
        limiter.reconcile(reserved: 70, actual: 100, for: "k")
        #expect(abs(limiter.availablePermits(for: "k") + 30) < 1e-9, "30 tokens overdrawn")
        guard case .denied(let retryAfter?) = limiter.tryAcquire(10, for: "k") else {
            Issue.record("expected a denial")
            return
        }
        #expect(abs(retryAfter.seconds - 24) < 1e-6, "40 tokens at 100 a minute")
    }

    @Test("maxWait refuses at once with rateLimited and the estimated wait; too many permits is a bad request")
    func refusals() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 10, refill: 1, per: .seconds(1)), clock: clock)
        try await limiter.acquire(10, for: "k")
        do {
            try await limiter.acquire(5, for: "k", maxWait: .seconds(2))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(abs((error.retryAfter ?? .zero).seconds - 5) < 1e-6)
        }
        do {
            try await limiter.acquire(11, for: "k")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.kind == .badRequest)
        }
        #expect(limiter.tryAcquire(11, for: "k") == .denied(retryAfter: nil))
    }

    @Test("memory is bounded: idle keys go first, then the least recently used")
    func keyEviction() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<Int>(.tokenBucket(capacity: 1, refill: 1, per: .seconds(1)), maxKeys: 4, clock: clock)
        for key in 0..<4 { _ = limiter.tryAcquire(for: key) }
        await clock.advance(by: .seconds(1))  // every key refilled: idle
        _ = limiter.tryAcquire(for: 4)
        #expect(limiter.keyCount == 1)
        for key in 5..<8 {
            await clock.advance(by: .milliseconds(10))
            _ = limiter.tryAcquire(for: key)
        }
        #expect(limiter.keyCount == 4)
        await clock.advance(by: .milliseconds(10))
        _ = limiter.tryAcquire(for: 8)  // none idle: the least recently used (4) goes
        #expect(limiter.keyCount == 4)
        #expect(limiter.availablePermits(for: 5) < 1, "key 5 was kept, still empty")
        #expect(limiter.keyCount == 4)
    }

    @Test("a chat model limited by tokens reserves the estimate and settles on reported usage")
    func tokenLimitedModel() async throws {
        let clock = ManualClock()
        let limiter = try RateLimiter<String>(.tokenBucket(capacity: 1_000, refill: 1_000, per: .seconds(60)), clock: clock)
        let base = ScriptedChatModel([.text("ok", usage: Usage(inputTokens: 40, outputTokens: 10))])
        let model = base.rateLimited(
            limiter, cost: .tokens(counter: ApproximateTokenCounter(), defaultMaxOutput: 500), key: { $0.user ?? "anonymous" })
        _ = try await model.respond(to: ChatRequest(messages: [.user("hello there")], user: "u1"))
        #expect(abs(limiter.availablePermits(for: "u1") - 950) < 1e-9)
        #expect(abs(limiter.availablePermits(for: "u2") - 1_000) < 1e-9)
    }
}
