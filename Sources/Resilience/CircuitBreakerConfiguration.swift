import LLMCore

/// How a ``CircuitBreaker`` decides to open, how long it stays open and how it probes recovery.
///
/// The defaults are resilience4j's (`CircuitBreakerConfig.ofDefaults()`): a count-based window
/// of the last 100 calls, opening once at least 100 calls are recorded and half of them failed
/// (or all of them were slower than 60 seconds), staying open 60 seconds, then admitting 10 probe
/// calls. LLM traffic is often sparser than the services those defaults were chosen for; a chat
/// backend doing a few calls a second usually wants ``SlidingWindow/time(_:buckets:)`` of 30–60
/// seconds and a ``minimumCalls`` of 10–20.
public struct CircuitBreakerConfiguration: Sendable {
    /// Which recent calls the failure and slow-call rates are computed over.
    public enum SlidingWindow: Sendable, Hashable {
        /// The last `n` recorded calls.
        case count(Int)
        /// The calls recorded in the last `duration`, kept in `buckets` equal time slices so memory is
        /// constant; a call leaves the window when its whole slice has aged out.
        case time(Duration, buckets: Int)
    }

    /// How long the breaker stays open before it lets probe calls through.
    public enum OpenDuration: Sendable, Hashable {
        /// The same wait every time.
        case fixed(Duration)
        /// `initial` for the first opening, multiplied by `multiplier` for each consecutive opening
        /// (half-open probes failed again), capped at `maximum`. Closing resets it.
        case exponential(initial: Duration, multiplier: Double, maximum: Duration)

        /// The wait for the `opening`-th consecutive opening (1 for the first).
        public func duration(forOpening opening: Int) -> Duration {
            switch self {
            case .fixed(let duration):
                return duration
            case .exponential(let initial, let multiplier, let maximum):
                var seconds = initial.seconds
                for _ in 1..<max(1, opening) where seconds < maximum.seconds { seconds *= multiplier }
                return seconds >= maximum.seconds ? maximum : .seconds(seconds)
            }
        }
    }

    /// What an error says about the provider's health.
    public enum Verdict: Sendable, Hashable {
        /// Counts against the provider.
        case failure
        /// The provider answered properly (say, rejected a malformed request): counts as a success.
        case success
        /// Says nothing about the provider (cancellation, a local rejection): not recorded at all.
        case ignored
    }

    /// Which recent calls the rates are computed over. Default: the last 100 calls.
    public var slidingWindow: SlidingWindow
    /// The failure rate, in (0, 1], at or above which the breaker opens. Default 0.5.
    public var failureRateThreshold: Double
    /// The slow-call rate, in (0, 1], at or above which the breaker opens. Default 1 (every call slow).
    public var slowCallRateThreshold: Double
    /// A call that takes at least this long counts as slow (for a stream: until its first content
    /// event). Default 60 seconds.
    public var slowCallDuration: Duration
    /// The fewest recorded calls in the window before the rates are acted on (for a count window,
    /// at most the window's size). Default 100.
    public var minimumCalls: Int
    /// How long the breaker stays open. Default: a fixed 60 seconds.
    public var openDuration: OpenDuration
    /// How many probe calls the half-open breaker admits; their outcomes decide whether it closes or
    /// opens again. Default 10.
    public var halfOpenProbes: Int
    /// If set, a breaker that has been half-open this long without deciding (probes that never
    /// finish) opens again rather than waiting forever. Default `nil` (wait), as resilience4j.
    public var maximumHalfOpenDuration: Duration?
    /// Decides what each error says about the provider. Default: ``providerHealth(_:)``.
    public var classify: @Sendable (LLMError) -> Verdict

    /// Creates a configuration; every parameter defaults to resilience4j's value.
    public init(
        slidingWindow: SlidingWindow = .count(100),
        failureRateThreshold: Double = 0.5,
        slowCallRateThreshold: Double = 1,
        slowCallDuration: Duration = .seconds(60),
        minimumCalls: Int = 100,
        openDuration: OpenDuration = .fixed(.seconds(60)),
        halfOpenProbes: Int = 10,
        maximumHalfOpenDuration: Duration? = nil,
        classify: @escaping @Sendable (LLMError) -> Verdict = CircuitBreakerConfiguration.providerHealth
    ) {
        self.slidingWindow = slidingWindow
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDuration = slowCallDuration
        self.minimumCalls = minimumCalls
        self.openDuration = openDuration
        self.halfOpenProbes = halfOpenProbes
        self.maximumHalfOpenDuration = maximumHalfOpenDuration
        self.classify = classify
    }

    /// The default classification: only errors that say the provider is unhealthy count as failures.
    ///
    /// - Failures: ``LLMError/Kind/overloaded``, ``LLMError/Kind/server``, ``LLMError/Kind/timeout``,
    ///   ``LLMError/Kind/transport``.
    /// - Ignored: ``LLMError/Kind/cancelled`` (the caller gave up, the provider did nothing wrong),
    ///   ``LLMError/Kind/rateLimited`` (our account is over its rate; a retry honouring Retry-After
    ///   and a rate limiter deal with that, and opening on it would turn a short throttle into a
    ///   long outage), and local rejections: ``LLMError/Kind/circuitOpen``,
    ///   ``LLMError/Kind/bulkheadFull``, ``LLMError/Kind/budgetExceeded``.
    /// - Successes: everything else — the provider answered, if only to say the request was wrong.
    @Sendable
    public static func providerHealth(_ error: LLMError) -> Verdict {
        switch error.kind {
        case .overloaded, .server, .timeout, .transport: .failure
        case .cancelled, .rateLimited, .circuitOpen, .bulkheadFull, .budgetExceeded: .ignored
        case .authentication, .permissionDenied, .notFound, .badRequest, .contextLengthExceeded,
            .contentFiltered, .decoding:
            .success
        }
    }

    /// Checks every parameter, so a mistake is reported when the breaker is made, not when it misbehaves.
    func validate() throws(LLMError) {
        func fail(_ message: String) -> LLMError { LLMError(kind: .badRequest, message: "CircuitBreaker: " + message) }
        switch slidingWindow {
        case .count(let size) where size < 1:
            throw fail("a count window must hold at least 1 call, got \(size)")
        case .time(let duration, let buckets) where duration <= .zero || buckets < 1:
            throw fail("a time window needs a positive duration and at least 1 bucket, got \(duration) in \(buckets)")
        case .time(let duration, let buckets) where duration / buckets <= .zero:
            throw fail("a time window of \(duration) cannot be cut into \(buckets) buckets")
        default: break
        }
        guard failureRateThreshold > 0, failureRateThreshold <= 1 else {
            throw fail("failureRateThreshold must be in (0, 1], got \(failureRateThreshold)")
        }
        guard slowCallRateThreshold > 0, slowCallRateThreshold <= 1 else {
            throw fail("slowCallRateThreshold must be in (0, 1], got \(slowCallRateThreshold)")
        }
        guard slowCallDuration > .zero else { throw fail("slowCallDuration must be positive, got \(slowCallDuration)") }
        guard minimumCalls >= 1 else { throw fail("minimumCalls must be at least 1, got \(minimumCalls)") }
        guard halfOpenProbes >= 1 else { throw fail("halfOpenProbes must be at least 1, got \(halfOpenProbes)") }
        switch openDuration {
        case .fixed(let duration) where duration < .zero:
            throw fail("openDuration must not be negative, got \(duration)")
        case .exponential(let initial, let multiplier, let maximum)
        where initial < .zero || multiplier < 1 || maximum < initial || !multiplier.isFinite:
            throw fail("exponential openDuration needs 0 ≤ initial ≤ maximum and a finite multiplier ≥ 1")
        default: break
        }
        if let maximumHalfOpenDuration, maximumHalfOpenDuration <= .zero {
            throw fail("maximumHalfOpenDuration must be positive, got \(maximumHalfOpenDuration)")
        }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
