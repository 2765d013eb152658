import LLMCore

/// One request's way through the router: the deployments still to try and what happened so far.
struct RoutingAttempts {
    /// The request as the caller sent it.
    let original: ChatRequest
    let promptTokens: Int
    /// Output tokens assumed for estimates: the request's limit, or the configured assumption.
    let outputTokens: Int
    let key: String?
    let tier: Tier?
    let strategy: LoadBalancing
    var reasons: [String]
    var failures: [RoutingDecision.FailedAttempt] = []
    /// Deployment indices still to try, in order, each marked when it is a last resort past its cooldown.
    var queue: [(index: Int, bypass: Bool)]
    var tried: Set<Int> = []
    /// Deployments that would not be called (budget, local limit, breaker), with the error that says why.
    var refusals: [LLMError] = []
    var lastError: LLMError?
    private var position = 0

    init(
        original: ChatRequest, promptTokens: Int, outputTokens: Int, key: String?, tier: Tier?, strategy: LoadBalancing,
        reasons: [String], queue: [(index: Int, bypass: Bool)]
    ) {
        self.original = original
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.key = key
        self.tier = tier
        self.strategy = strategy
        self.reasons = reasons
        self.queue = queue
    }

    /// The next deployment to try.
    mutating func next() -> (index: Int, bypass: Bool)? {
        while position < queue.count {
            let entry = queue[position]
            position += 1
            if tried.insert(entry.index).inserted { return entry }
        }
        return nil
    }

    /// The deployments not tried yet, in order.
    var remaining: [(index: Int, bypass: Bool)] { queue[position...].filter { !tried.contains($0.index) } }

    /// Replaces what is left to try.
    mutating func replaceRemaining(with entries: [(index: Int, bypass: Bool)]) {
        queue = Array(queue[..<position]) + entries
    }

    /// Notes that a deployment was passed over without a call.
    mutating func skip(_ name: String, because error: LLMError) {
        reasons.append("skipped \(name): \(error.message)")
        refusals.append(error)
    }

    /// The request as `deployment` receives it.
    func request(for deployment: Deployment) -> ChatRequest {
        var request = original
        if let name = deployment.modelName { request.model = name }
        return request
    }

    /// The record attached to the answer.
    func decision(deployment: String, latency: Int64, firstToken: Int64?, cost: Cost) -> RoutingDecision {
        RoutingDecision(
            deployment: deployment, tier: tier?.rawValue, strategy: strategy.rawValue, reasons: reasons, fallbacks: failures,
            latency: .nanoseconds(latency), timeToFirstToken: firstToken.map { .nanoseconds($0) }, cost: cost)
    }

    /// The error for a request no deployment answered: the last call's error, or, if nothing was
    /// called, the refusal (a budget first, since that is what the caller must act on).
    func finalError() -> LLMError {
        let tried = failures.map { "\($0.deployment) (\($0.error.rawValue))" }
        guard var error = lastError else {
            var refusal = refusals.first { $0.kind == .budgetExceeded } ?? refusals.first
                ?? LLMError(kind: .badRequest, message: "no deployment left to try")
            refusal.message = "no deployment was called: " + reasons.joined(separator: "; ")
            if refusal.kind == .rateLimited {
                refusal.retryAfter = refusals.compactMap(\.retryAfter).min()
            }
            return refusal
        }
        error.message = "every deployment tried failed: \(tried.joined(separator: ", ")); the last said: " + error.message
        return error
    }
}
