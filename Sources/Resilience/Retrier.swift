import LLMCore
import Synchronization

/// Runs calls under a ``RetryPolicy``: retries the failures it allows, waiting on an injected clock,
/// with randomness from an injected generator, and within a shared ``RetryBudget``.
///
/// ```swift
/// let retrier = try Retrier(policy: RetryPolicy(maxAttempts: 4), budget: RetryBudget())
/// let answer = try await retrier.run { _ async throws(LLMError) in try await client.respond(to: request) }
/// // or, stacked: client.retrying(retrier)
/// ```
///
/// Cancelling the task stops a backoff wait at once with ``LLMError/Kind/cancelled``. When the
/// retrier gives up it throws the last attempt's error, its message extended with why it stopped.
public final class Retrier: Sendable {
    /// Why the retrier stopped retrying.
    public enum StopReason: Sendable, Hashable {
        /// The policy's ``RetryPolicy/shouldRetry`` said no (for example, a bad request).
        case notRetryable
        /// ``RetryPolicy/maxAttempts`` attempts were made.
        case attemptsExhausted
        /// The server asked to wait longer than ``RetryPolicy/maximumRetryAfter``.
        case retryAfterTooLong(Duration)
        /// The next attempt would start after ``RetryPolicy/deadline``.
        case deadlineExceeded
        /// The shared ``RetryBudget`` is spent.
        case budgetExhausted
    }

    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Wait this long, then try again.
        case retry(after: Duration)
        /// Give up and return the error.
        case stop(StopReason)
    }

    /// A retry about to happen, as reported to the `onRetry` observer.
    public struct Retry: Sendable {
        /// The attempt that failed, from 1.
        public var failedAttempt: Int
        /// Its error.
        public var error: LLMError
        /// How long the retrier waits before the next attempt.
        public var delay: Duration
    }

    /// The policy applied.
    public let policy: RetryPolicy
    /// The budget shared with other retriers, if any.
    public let budget: RetryBudget?
    @usableFromInline let clock: InjectedClock
    private let random: Mutex<any RandomNumberGenerator & Sendable>
    private let onRetry: (@Sendable (Retry) -> Void)?

    /// Creates a retrier.
    ///
    /// - Parameters:
    ///   - policy: When and how long to wait.
    ///   - budget: A budget shared by many retriers (one per provider is typical); `nil` for none.
    ///   - clock: Where backoff waits happen; inject a `ManualClock` in tests.
    ///   - random: The jitter's randomness; a seeded generator makes delays reproducible.
    ///   - onRetry: Called before each backoff wait (for logs and metrics).
    /// - Throws: ``LLMError/Kind/badRequest`` naming an invalid policy value.
    public init(
        policy: RetryPolicy = RetryPolicy(),
        budget: RetryBudget? = nil,
        clock: some Clock<Duration> = ContinuousClock(),
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        onRetry: (@Sendable (Retry) -> Void)? = nil
    ) throws(LLMError) {
        try policy.validate()
        self.policy = policy
        self.budget = budget
        self.clock = InjectedClock(clock)
        self.random = Mutex(random)
        self.onRetry = onRetry
    }

    /// Decides what follows a failed attempt, as ``run(_:)`` does — for custom loops and simulations.
    ///
    /// It has the effects ``run(_:)`` has: a retryable failure takes a token from the budget, and
    /// a delay draws from the random generator.
    ///
    /// - Parameters:
    ///   - error: The attempt's error.
    ///   - failedAttempt: Which attempt failed, from 1.
    ///   - elapsed: Time since the first attempt began.
    ///   - previousDelay: The delay waited before this attempt (``RetryPolicy/initialDelay`` after the first).
    public func decide(after error: LLMError, failedAttempt: Int, elapsed: Duration, previousDelay: Duration) -> Decision {
        guard policy.shouldRetry(error) else { return .stop(.notRetryable) }
        budget?.recordRetryableFailure()
        guard failedAttempt < policy.maxAttempts else { return .stop(.attemptsExhausted) }
        if let retryAfter = error.retryAfter, retryAfter > policy.maximumRetryAfter {
            return .stop(.retryAfterTooLong(retryAfter))
        }
        if let budget, !budget.allowsRetry { return .stop(.budgetExhausted) }
        var delay = random.withLock { random in
            policy.backoff(forRetry: failedAttempt, previousDelay: previousDelay, using: &random)
        }
        if let retryAfter = error.retryAfter { delay = max(delay, retryAfter) }
        if let deadline = policy.deadline, elapsed + delay > deadline { return .stop(.deadlineExceeded) }
        return .retry(after: delay)
    }

    /// Runs `operation` until it succeeds or the policy gives up.
    ///
    /// - Parameter operation: One attempt; receives the attempt number, from 1.
    /// - Throws: The last attempt's error once the policy stops, or ``LLMError/Kind/cancelled``
    ///   if the task is cancelled while waiting.
    @inlinable
    public func run<T>(_ operation: (_ attempt: Int) async throws(LLMError) -> T) async throws(LLMError) -> T {
        var attempt = RetryAttempt(self)
        while true {
            do {
                let value = try await operation(attempt.number)
                recordSuccess()
                return value
            } catch {
                try await attempt.wait(after: error)
            }
        }
    }

    /// Records a success with the budget (for callers that drive attempts themselves, such as a stream).
    @usableFromInline
    func recordSuccess() { budget?.recordSuccess() }

    /// The time since the clock was injected, for measuring a stream's elapsed time.
    @usableFromInline
    var now: Duration { clock.now }

    /// Decides after a failed attempt and either waits out the delay (returning it) or throws the
    /// error, annotated with why the retrier stopped.
    @usableFromInline
    func wait(after error: LLMError, failedAttempt: Int, elapsed: Duration, previousDelay: Duration) async throws(LLMError) -> Duration {
        if error.kind == .cancelled || Task.isCancelled { throw error.kind == .cancelled ? error : .cancelled() }
        switch decide(after: error, failedAttempt: failedAttempt, elapsed: elapsed, previousDelay: previousDelay) {
        case .retry(let delay):
            onRetry?(Retry(failedAttempt: failedAttempt, error: error, delay: delay))
            try await clock.sleep(for: delay)
            return delay
        case .stop(let reason):
            throw annotated(error, attempts: failedAttempt, reason: reason)
        }
    }

    private func annotated(_ error: LLMError, attempts: Int, reason: StopReason) -> LLMError {
        let why: String
        switch reason {
        case .notRetryable: return error
        case .attemptsExhausted: why = "all \(attempts) attempts failed"
        case .retryAfterTooLong(let wait):
            why = "the server asked to wait \(wait), longer than the policy's maximumRetryAfter \(policy.maximumRetryAfter)"
        case .deadlineExceeded: why = "another attempt would pass the retry deadline of \(policy.deadline ?? .zero)"
        case .budgetExhausted: why = "the shared retry budget is spent (too many recent failures)"
        }
        var error = error
        error.message += " [not retried: \(why)]"
        return error
    }
}

/// The bookkeeping of one call's attempts under a ``Retrier``: which attempt this is, the last delay
/// waited and when the first attempt began.
@usableFromInline
struct RetryAttempt {
    @usableFromInline let retrier: Retrier
    @usableFromInline var number = 1
    @usableFromInline var previousDelay: Duration
    /// Read only when the policy has a deadline: a clock read costs more than the rest of a success.
    @usableFromInline let started: Duration

    @inlinable
    init(_ retrier: Retrier) {
        self.retrier = retrier
        previousDelay = retrier.policy.initialDelay
        started = retrier.policy.deadline == nil ? .zero : retrier.now
    }

    /// Waits before the next attempt, or throws `error` (annotated) when the policy gives up.
    @inlinable
    mutating func wait(after error: LLMError) async throws(LLMError) {
        let elapsed = retrier.policy.deadline == nil ? Duration.zero : retrier.now - started
        previousDelay = try await retrier.wait(
            after: error, failedAttempt: number, elapsed: elapsed, previousDelay: previousDelay)
        number += 1
    }
}
