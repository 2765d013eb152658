import LLMCore
import Resilience

/// When a ``ModelRouter`` stops sending requests to a failing deployment, and for how long.
///
/// Each deployment gets its own Resilience `CircuitBreaker` built from ``breaker``: once its window
/// holds ``CircuitBreakerConfiguration/minimumCalls`` calls and the failure rate reaches the
/// threshold, the deployment is skipped for the open duration, then probed. A 429 skips it at once
/// for its `Retry-After` (or ``rateLimitCooldown``), and an exhausted quota for
/// ``quotaExhaustedCooldown``; the breaker does not count 429s, which say nothing about health.
///
/// Cooling never turns into an outage: when every deployment a request could use is cooling down,
/// the router tries the one that failed least recently rather than failing at once.
public struct CooldownPolicy: Sendable {
    /// The breaker each deployment gets. Default: a 60-second window of 12 slices, acting from 3
    /// calls at a 50% failure rate, open for 30 seconds, then one probe.
    public var breaker: CircuitBreakerConfiguration
    /// How long a deployment is skipped after a 429 that gave no `Retry-After`. Default 10 seconds.
    public var rateLimitCooldown: Duration
    /// How long a deployment is skipped after a 429 saying the account's quota is exhausted. Default 10 minutes.
    public var quotaExhaustedCooldown: Duration

    /// Creates a policy.
    public init(
        breaker: CircuitBreakerConfiguration = CooldownPolicy.defaultBreaker,
        rateLimitCooldown: Duration = .seconds(10),
        quotaExhaustedCooldown: Duration = .seconds(600)
    ) {
        self.breaker = breaker
        self.rateLimitCooldown = rateLimitCooldown
        self.quotaExhaustedCooldown = quotaExhaustedCooldown
    }

    /// The default per-deployment breaker: 60-second window in 12 slices, 3 calls minimum, 50%
    /// failures, 30 seconds open, 1 probe.
    public static let defaultBreaker = CircuitBreakerConfiguration(
        slidingWindow: .time(.seconds(60), buckets: 12), failureRateThreshold: 0.5, minimumCalls: 3,
        openDuration: .fixed(.seconds(30)), halfOpenProbes: 1)
}
