import LLMCore

/// When to retry a failed call and how long to wait before each retry.
///
/// Delays grow exponentially — `initialDelay × multiplier^(retry − 1)`, capped at `maximumDelay` —
/// and are spread by ``Jitter`` so clients that failed together do not retry together. A server's
/// Retry-After (``LLMError/retryAfter``) is a floor for the wait; when it asks for longer than
/// ``maximumRetryAfter`` the call is not retried and its error is returned at once.
///
/// Defaults: 3 attempts in all (resilience4j's and Polly's default), first retry after up to
/// 0.5 s, doubling, at most 8 s (the OpenAI and Anthropic SDKs' backoff), full jitter (AWS's
/// recommendation), Retry-After honoured up to 60 s, retry when ``LLMError/isRetryable``.
public struct RetryPolicy: Sendable {
    /// How a backoff delay is randomised; the formulas are those of AWS's "Exponential Backoff
    /// And Jitter", where `d` is the capped exponential delay for the retry.
    public enum Jitter: Sendable, Hashable, CaseIterable {
        /// Exactly `d`. Clients that failed together retry together.
        case none
        /// Uniform in `[0, d]`: the fewest total calls in AWS's comparison.
        case full
        /// `d/2` plus uniform in `[0, d/2]`: never shorter than half the backoff.
        case equal
        /// Uniform in `[initialDelay, 3 × previous delay]`, capped at `maximumDelay`: each wait grows
        /// from the last actual one rather than from the retry number.
        case decorrelated
    }

    /// Attempts in all, the first call included (1 means never retry).
    public var maxAttempts: Int
    /// The base delay, before the first retry.
    public var initialDelay: Duration
    /// The growth per retry.
    public var multiplier: Double
    /// The cap on any backoff delay.
    public var maximumDelay: Duration
    /// How the delay is randomised.
    public var jitter: Jitter
    /// The longest Retry-After honoured; a server asking for longer gets its error returned at once.
    public var maximumRetryAfter: Duration
    /// If set, no retry starts when it would begin later than this long after the first attempt.
    public var deadline: Duration?
    /// Whether an error is worth retrying. Default: ``LLMError/isRetryable``.
    public var shouldRetry: @Sendable (LLMError) -> Bool

    /// Creates a policy; see the type's documentation for the defaults and where they come from.
    public init(
        maxAttempts: Int = 3,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maximumDelay: Duration = .seconds(8),
        jitter: Jitter = .full,
        maximumRetryAfter: Duration = .seconds(60),
        deadline: Duration? = nil,
        shouldRetry: @escaping @Sendable (LLMError) -> Bool = { $0.isRetryable }
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
        self.jitter = jitter
        self.maximumRetryAfter = maximumRetryAfter
        self.deadline = deadline
        self.shouldRetry = shouldRetry
    }

    /// The backoff before retry number `retry` (1 for the first retry), before any Retry-After.
    ///
    /// - Parameters:
    ///   - retry: Which retry this is, from 1.
    ///   - previousDelay: The delay actually waited before the previous retry (``initialDelay`` before
    ///     the first); only ``Jitter/decorrelated`` uses it.
    ///   - random: The source of randomness; seed it to reproduce a run.
    public func backoff(
        forRetry retry: Int, previousDelay: Duration, using random: inout some RandomNumberGenerator
    ) -> Duration {
        let base = initialDelay.seconds
        let cap = maximumDelay.seconds
        var exponential = base
        for _ in 1..<max(1, retry) where exponential < cap { exponential *= multiplier }
        let capped = min(cap, exponential)
        let seconds: Double
        switch jitter {
        case .none:
            seconds = capped
        case .full:
            seconds = Double.random(in: 0...capped, using: &random)
        case .equal:
            seconds = capped / 2 + Double.random(in: 0...(capped / 2), using: &random)
        case .decorrelated:
            let upper = max(base, previousDelay.seconds * 3)
            seconds = min(cap, Double.random(in: base...upper, using: &random))
        }
        return .seconds(seconds)
    }

    /// Checks the policy's values.
    func validate() throws(LLMError) {
        func fail(_ message: String) -> LLMError { LLMError(kind: .badRequest, message: "RetryPolicy: " + message) }
        guard maxAttempts >= 1 else { throw fail("maxAttempts must be at least 1, got \(maxAttempts)") }
        guard initialDelay >= .zero, maximumDelay >= initialDelay else {
            throw fail("need 0 ≤ initialDelay ≤ maximumDelay, got \(initialDelay) and \(maximumDelay)")
        }
        guard multiplier >= 1, multiplier.isFinite else { throw fail("multiplier must be finite and at least 1, got \(multiplier)") }
        guard maximumRetryAfter >= .zero else { throw fail("maximumRetryAfter must not be negative") }
        if let deadline, deadline <= .zero { throw fail("deadline must be positive, got \(deadline)") }
    }
}
