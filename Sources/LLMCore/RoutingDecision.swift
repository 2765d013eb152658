/// Which deployment a router sent a request to, why, and what it cost.
///
/// A router attaches one to every response it returns (``ChatResponse/routing``) and sends one as
/// the last event of every stream (``ChatStreamEvent/routed(_:)``), so a caller can log, test and
/// bill every routing choice.
public struct RoutingDecision: Sendable, Hashable, Codable {
    /// One deployment that was tried and failed before the one that answered.
    public struct FailedAttempt: Sendable, Hashable, Codable {
        /// The deployment's name.
        public var deployment: String
        /// What went wrong.
        public var error: LLMError.Kind
        /// The error's message.
        public var message: String
        /// How long the attempt took.
        public var latency: Duration

        /// Creates a record of a failed attempt.
        public init(deployment: String, error: LLMError.Kind, message: String, latency: Duration) {
            self.deployment = deployment
            self.error = error
            self.message = message
            self.latency = latency
        }
    }

    /// The deployment that answered.
    public var deployment: String
    /// The tier the request was classified into, when the router classifies.
    public var tier: String?
    /// The load-balancing strategy that picked the first deployment tried.
    public var strategy: String
    /// Why the request went where it did: the classifier's explanation and any filtering or
    /// cooldown that changed the choice.
    public var reasons: [String]
    /// Deployments tried and failed first, in order; empty when the first choice answered.
    public var fallbacks: [FailedAttempt]
    /// Time from the router receiving the request to the answer's end.
    public var latency: Duration
    /// For a stream, time from the router receiving the request to the first content.
    public var timeToFirstToken: Duration?
    /// The exact cost of the answer at the deployment's prices.
    public var cost: Cost

    /// Creates a routing record.
    public init(
        deployment: String, tier: String? = nil, strategy: String, reasons: [String] = [],
        fallbacks: [FailedAttempt] = [], latency: Duration, timeToFirstToken: Duration? = nil, cost: Cost = .zero
    ) {
        self.deployment = deployment
        self.tier = tier
        self.strategy = strategy
        self.reasons = reasons
        self.fallbacks = fallbacks
        self.latency = latency
        self.timeToFirstToken = timeToFirstToken
        self.cost = cost
    }
}
