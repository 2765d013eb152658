import LLMCore

/// How a ``ModelRouter`` balances, falls back, cools down and limits spending.
public struct RouterConfiguration: Sendable {
    /// The tier used when there is no classifier, or the classifier names a tier with no route.
    /// Default ``Tier/medium``.
    public var defaultTier: Tier
    /// How a deployment is picked within a group. Default ``LoadBalancing/weightedRoundRobin``.
    public var loadBalancing: LoadBalancing
    /// When failing deployments are skipped.
    public var cooldown: CooldownPolicy
    /// The errors after which the next deployment is tried; any other error is returned at once.
    /// Default ``defaultFallbackKinds``.
    public var fallbackOn: Set<LLMError.Kind>
    /// Spending limits checked before every call. Default none.
    public var budgets: [Budget]
    /// The key per-key budgets and the ledger file a request under. Default ``ChatRequest/user``.
    public var budgetKey: @Sendable (ChatRequest) -> String?
    /// Counts prompt tokens for context-window checks and cost estimates. Default
    /// ``ApproximateTokenCounter``; pass an exact tokenizer's counter when you have one.
    public var tokenCounter: any TokenCounter
    /// The output tokens assumed for a cost estimate when a request sets no ``ChatRequest/maxOutputTokens``.
    /// Default 512.
    public var assumedOutputTokens: Int
    /// For ``LoadBalancing/lowestLatency``: the share of requests sent to a random deployment so the
    /// others keep being measured. Default 0.05.
    public var latencyExploration: Double
    /// The weight of the newest latency in the moving averages, in (0, 1]. Default 0.2.
    public var latencySmoothing: Double
    /// Seeds the router's random choices (weighted random, tie breaks, exploration), for reproducible
    /// tests and simulations; `nil` seeds from the system's generator.
    public var seed: UInt64?

    /// Fallback triggers by default: rate limits, overload, server errors, timeouts, broken
    /// connections, garbled answers, a deployment's credentials or model name being wrong, an open
    /// breaker or full bulkhead in front of it, a context window too small (the next try goes to a
    /// larger window) and a content-filter refusal (the next try goes to another provider). A
    /// malformed request, a cancellation or an exceeded budget is returned at once.
    public static let defaultFallbackKinds: Set<LLMError.Kind> = [
        .rateLimited, .overloaded, .server, .timeout, .transport, .decoding, .authentication, .permissionDenied,
        .notFound, .circuitOpen, .bulkheadFull, .contextLengthExceeded, .contentFiltered,
    ]

    /// Creates a configuration.
    public init(
        defaultTier: Tier = .medium,
        loadBalancing: LoadBalancing = .weightedRoundRobin,
        cooldown: CooldownPolicy = CooldownPolicy(),
        fallbackOn: Set<LLMError.Kind> = RouterConfiguration.defaultFallbackKinds,
        budgets: [Budget] = [],
        budgetKey: @escaping @Sendable (ChatRequest) -> String? = { $0.user },
        tokenCounter: any TokenCounter = ApproximateTokenCounter(),
        assumedOutputTokens: Int = 512,
        latencyExploration: Double = 0.05,
        latencySmoothing: Double = 0.2,
        seed: UInt64? = nil
    ) {
        self.defaultTier = defaultTier
        self.loadBalancing = loadBalancing
        self.cooldown = cooldown
        self.fallbackOn = fallbackOn
        self.budgets = budgets
        self.budgetKey = budgetKey
        self.tokenCounter = tokenCounter
        self.assumedOutputTokens = assumedOutputTokens
        self.latencyExploration = latencyExploration
        self.latencySmoothing = latencySmoothing
        self.seed = seed
    }
}
