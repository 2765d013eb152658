import LLMCore
import Resilience
import Synchronization

/// A ``ChatModel`` that sends each request to the best deployment for it: by difficulty tier, by
/// capability, balanced across a group, falling back on failure, skipping deployments that are
/// failing, within spending budgets, and saying every time where the answer came from and what it
/// cost.
///
/// For each request the router
/// 1. asks its ``RequestClassifier`` for a tier (or uses ``RouterConfiguration/defaultTier``) and
///    takes that tier's ``Route``: a group of deployments, then fallbacks;
/// 2. drops deployments that cannot serve the request — no tools, no JSON schema, no images, or a
///    context window the prompt (counted with ``RouterConfiguration/tokenCounter``) plus its output
///    limit would overflow — and, if none is left, looks for one in the other routes;
/// 3. skips deployments that are cooling down (``CooldownPolicy``) and orders the group by
///    ``LoadBalancing``; if every usable deployment is cooling, it tries the one that failed least
///    recently rather than failing at once;
/// 4. checks the deployment's requests- and tokens-per-minute limits and the ``Budget``s with the
///    request's estimated cost, then calls it; a budget that would be exceeded rejects the request
///    with ``LLMError/Kind/budgetExceeded`` before any call;
/// 5. on an error in ``RouterConfiguration/fallbackOn`` tries the next deployment (a larger window
///    after ``LLMError/Kind/contextLengthExceeded``, another provider after
///    ``LLMError/Kind/contentFiltered``); a stream falls back only before its first content;
/// 6. records the exact cost in its ``CostLedger`` and the budgets, and returns the answer with a
///    ``RoutingDecision`` (``ChatResponse/routing``, or the stream's last event).
///
/// The router never retries the same deployment: retries stay in one place. Wrap a deployment's
/// client in `RetryingChatModel` to retry it before falling back (say, a single local model), or
/// wrap the router to retry the whole routed call; do not do both, or a failure is tried
/// attempts × deployments times. Put a `Timeout` on each deployment's client so a hung provider
/// turns into a fallback.
///
/// ```swift
/// let router = try ModelRouter(
///     deployments: [mini, large, claude, local],
///     routes: [.simple: Route(["mini"], fallbacks: ["local"]),
///              .medium: Route(["mini", "large"], fallbacks: ["claude"]),
///              .complex: Route(["large"], fallbacks: ["claude"])],
///     classifier: HeuristicClassifier(),
///     configuration: RouterConfiguration(budgets: [Budget(.perKey, limit: Cost(dollars: 5), per: .every(.seconds(86_400)))]))
/// let answer = try await router.respond(to: request)
/// print(answer.routing!.deployment, answer.routing!.cost)
/// ```
public final class ModelRouter: ChatModel {
    /// The deployments, in the order given.
    public let deployments: [Deployment]
    /// Each tier's route.
    public let routes: [Tier: Route]
    /// Decides each request's tier; `nil` sends everything to ``RouterConfiguration/defaultTier``.
    public let classifier: (any RequestClassifier)?
    /// The router's settings.
    public let configuration: RouterConfiguration
    /// Where every call's cost is recorded.
    public let ledger: CostLedger

    let clock: InjectedClock
    let breakers: [CircuitBreaker]
    let requestLimiters: [RateLimiter<Int>?]
    let tokenLimiters: [RateLimiter<Int>?]
    let spending: SpendingGuard
    let indexByName: [String: Int]
    let state: Mutex<RouterState>

    /// Creates a router.
    ///
    /// - Parameters:
    ///   - deployments: Every deployment any route names, with unique names.
    ///   - routes: Each tier's group and fallbacks; ``RouterConfiguration/defaultTier`` must have one.
    ///   - classifier: Decides tiers; `nil` uses the default tier for everything.
    ///   - configuration: Balancing, fallbacks, cooldowns and budgets.
    ///   - ledger: Where costs are recorded; by default a new ledger on `clock`.
    ///   - clock: The time source for cooldowns, latencies, limits and budget periods.
    /// - Throws: ``LLMError/Kind/badRequest`` naming the first problem: a duplicate or unknown
    ///   deployment name, an empty route, no route for the default tier, a weight or limit under 1, or
    ///   an invalid breaker configuration.
    public init(
        deployments: [Deployment],
        routes: [Tier: Route],
        classifier: (any RequestClassifier)? = nil,
        configuration: RouterConfiguration = RouterConfiguration(),
        ledger: CostLedger? = nil,
        clock: some Clock<Duration> = ContinuousClock()
    ) throws(LLMError) {
        func fail(_ message: String) -> LLMError { LLMError(kind: .badRequest, message: "ModelRouter: " + message) }
        var indexByName: [String: Int] = [:]
        for (index, deployment) in deployments.enumerated() {
            guard !deployment.name.isEmpty else { throw fail("deployment \(index) has an empty name") }
            guard indexByName.updateValue(index, forKey: deployment.name) == nil else {
                throw fail("two deployments are named '\(deployment.name)'; names must be unique")
            }
            guard deployment.weight >= 1 else { throw fail("deployment '\(deployment.name)' has weight \(deployment.weight); use 1 or more") }
            for (label, limit) in [("requestsPerMinute", deployment.requestsPerMinute), ("tokensPerMinute", deployment.tokensPerMinute)] {
                if let limit, limit < 1 { throw fail("deployment '\(deployment.name)' has \(label) \(limit); use 1 or more, or nil for no limit") }
            }
        }
        for (tier, route) in routes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard !route.deployments.isEmpty else { throw fail("the route of tier '\(tier)' has no deployments in its group") }
            for name in route.deployments + route.fallbacks where indexByName[name] == nil {
                throw fail("the route of tier '\(tier)' names '\(name)', which is not a deployment; known: \(deployments.map(\.name).joined(separator: ", "))")
            }
        }
        guard routes[configuration.defaultTier] != nil else {
            throw fail("there is no route for the default tier '\(configuration.defaultTier)'; add one or set configuration.defaultTier")
        }
        guard configuration.latencySmoothing > 0, configuration.latencySmoothing <= 1 else {
            throw fail("latencySmoothing must be in (0, 1], got \(configuration.latencySmoothing)")
        }
        guard configuration.assumedOutputTokens >= 0 else {
            throw fail("assumedOutputTokens must not be negative, got \(configuration.assumedOutputTokens)")
        }

        self.deployments = deployments
        self.routes = routes
        self.classifier = classifier
        self.configuration = configuration
        self.clock = InjectedClock(clock)
        self.ledger = ledger ?? CostLedger(clock: clock)
        self.indexByName = indexByName
        var breakers: [CircuitBreaker] = []
        var requestLimiters: [RateLimiter<Int>?] = []
        var tokenLimiters: [RateLimiter<Int>?] = []
        for deployment in deployments {
            breakers.append(try CircuitBreaker(name: deployment.name, configuration: configuration.cooldown.breaker, clock: clock))
            requestLimiters.append(
                try deployment.requestsPerMinute.map { limit throws(LLMError) in
                    try RateLimiter<Int>(.slidingWindow(limit: limit, window: .seconds(60)), clock: clock)
                })
            tokenLimiters.append(
                try deployment.tokensPerMinute.map { limit throws(LLMError) in
                    try RateLimiter<Int>(.slidingWindow(limit: limit, window: .seconds(60)), clock: clock)
                })
        }
        self.breakers = breakers
        self.requestLimiters = requestLimiters
        self.tokenLimiters = tokenLimiters
        spending = SpendingGuard(budgets: configuration.budgets, clock: self.clock)
        var generator = SystemRandomNumberGenerator()
        state = Mutex(
            RouterState(
                runtimes: Array(repeating: DeploymentRuntime(), count: deployments.count),
                random: SplitMix64(seed: configuration.seed ?? generator.next())))
    }

    /// The circuit breaker that cools `deployment` down, for operators: `forceOpen()` takes it out of
    /// rotation until `reset()`.
    public func breaker(of deployment: String) -> CircuitBreaker? {
        indexByName[deployment].map { breakers[$0] }
    }

    /// The health of a deployment now: its breaker state, calls in flight and measured latencies.
    public func status(of deployment: String) -> DeploymentStatus? {
        guard let index = indexByName[deployment] else { return nil }
        let breakerState = breakers[index].state
        let now = clock.nanoseconds
        return state.withLock { state in
            let runtime = state.runtimes[index]
            return DeploymentStatus(
                breaker: breakerState,
                rateLimitedFor: runtime.coolingUntil > now ? .nanoseconds(runtime.coolingUntil - now) : nil,
                inFlight: runtime.inFlight,
                averageTimeToFirstToken: runtime.firstTokenAverage.map { .nanoseconds(Int64($0)) },
                averageLatency: runtime.totalAverage.map { .nanoseconds(Int64($0)) })
        }
    }

    /// Answers `request` from the deployment the routing policy picks, falling back as configured.
    ///
    /// - Throws: ``LLMError/Kind/budgetExceeded`` before any call when a budget would be exceeded;
    ///   ``LLMError/Kind/badRequest`` when no deployment can serve the request; otherwise the last
    ///   deployment's error, its message listing every deployment tried.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let started = clock.nanoseconds
        var attempts = try await plan(request, streaming: false)
        while let (index, bypass) = attempts.next() {
            let deployment = deployments[index]
            let admission: Admission
            do {
                admission = try admit(index, bypassingCooldown: bypass, for: attempts)
            } catch {
                attempts.skip(deployment.name, because: error)
                continue
            }
            do {
                var response = try await deployment.model.respond(to: attempts.request(for: deployment))
                let cost = finish(admission, usage: response.usage, key: attempts.key, firstToken: nil)
                response.routing = attempts.decision(
                    deployment: deployment.name, latency: clock.nanoseconds - started, firstToken: nil, cost: cost)
                return response
            } catch {
                fail(admission, error: error, attempts: &attempts)
                if !configuration.fallbackOn.contains(error.kind) { throw error }
            }
        }
        throw attempts.finalError()
    }

    /// Streams the answer of the deployment the routing policy picks. A deployment that fails before
    /// the first content event is replaced by the next; events before content (the response id,
    /// usage) are held back until then, so the consumer sees one clean answer. A failure after
    /// content ends the stream with its error. The last event is ``ChatStreamEvent/routed(_:)``.
    public func stream(_ request: ChatRequest) -> ChatStream {
        ChatStream { continuation throws(LLMError) in
            try await self.stream(request, into: continuation)
        }
    }
}

/// A deployment's health as a ``ModelRouter`` sees it.
public struct DeploymentStatus: Sendable, Hashable {
    /// Its breaker: open means it is cooling down after failures.
    public var breaker: CircuitBreaker.State
    /// How much longer it is skipped after a 429, if it is.
    public var rateLimitedFor: Duration?
    /// Calls to it now in progress.
    public var inFlight: Int
    /// The moving average of its time to first token over streamed calls, once measured.
    public var averageTimeToFirstToken: Duration?
    /// The moving average of its whole-call latency, once measured.
    public var averageLatency: Duration?
}
