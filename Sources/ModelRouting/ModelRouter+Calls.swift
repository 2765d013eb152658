import LLMCore
import Resilience

/// What was taken to make one call — a breaker permit, local rate-limit permits, a budget
/// reservation, an in-flight slot — and must be settled when it ends.
struct Admission: ~Copyable {
    let index: Int
    let bypass: Bool
    var permit: CircuitBreaker.Permit?
    let reservation: SpendingGuard.Reservation
    let reservedTokens: Int
    let started: Int64
}

extension ModelRouter {
    /// Takes what a call to deployment `index` needs, or explains why it may not be called.
    ///
    /// - Throws: ``LLMError/Kind/circuitOpen``, ``LLMError/Kind/rateLimited`` (its local limits) or
    ///   ``LLMError/Kind/budgetExceeded``, having taken nothing.
    func admit(_ index: Int, bypassingCooldown bypass: Bool, for attempts: RoutingAttempts) throws(LLMError) -> Admission {
        let deployment = deployments[index]
        let permit: CircuitBreaker.Permit? = bypass ? nil : try breakers[index].acquirePermit()
        // A request larger than a deployment's whole per-minute token limit reserves the whole
        // limit (it waits for a full window) rather than being refused for ever.
        let tokens = attempts.promptTokens + attempts.outputTokens
        if let limiter = requestLimiters[index], case .denied(let wait) = limiter.tryAcquire(1, for: 0) {
            throw LLMError(
                kind: .rateLimited, message: "\(deployment.name) is at its \(deployment.requestsPerMinute!) requests a minute",
                retryAfter: wait)
        }
        if let limiter = tokenLimiters[index], case .denied(let wait) = limiter.tryAcquire(min(tokens, limiter.limit.capacity), for: 0) {
            requestLimiters[index]?.reconcile(reserved: 1, actual: 0, for: 0)
            throw LLMError(
                kind: .rateLimited, message: "\(deployment.name) is at its \(deployment.tokensPerMinute!) tokens a minute",
                retryAfter: wait)
        }
        let reservation: SpendingGuard.Reservation
        do {
            reservation = try spending.reserve(
                deployment.estimatedCost(promptTokens: attempts.promptTokens, outputTokens: attempts.outputTokens), key: attempts.key)
        } catch {
            requestLimiters[index]?.reconcile(reserved: 1, actual: 0, for: 0)
            tokenLimiters[index]?.reconcile(reserved: tokens, actual: 0, for: 0)
            throw error
        }
        state.withLock { $0.runtimes[index].inFlight += 1 }
        return Admission(
            index: index, bypass: bypass, permit: permit, reservation: reservation,
            reservedTokens: tokenLimiters[index] == nil ? 0 : min(tokens, tokenLimiters[index]!.limit.capacity),
            started: clock.nanoseconds)
    }

    /// Settles a call that answered: the breaker, latencies, the ledger and the budgets. Returns its cost.
    func finish(_ admission: consuming Admission, usage: Usage, key: String?, firstToken: Int64?) -> Cost {
        let index = admission.index
        admission.permit.take()?.succeeded()
        if admission.bypass { breakers[index].reset() }
        let now = clock.nanoseconds
        let cost = deployments[index].pricing.cost(of: usage)
        state.withLock { state in
            state.runtimes[index].inFlight -= 1
            state.runtimes[index].recordLatency(
                firstToken: firstToken.map { $0 - admission.started }, total: now - admission.started,
                smoothing: configuration.latencySmoothing)
            if admission.bypass { state.runtimes[index].coolingUntil = .min }
        }
        settle(admission, usage: usage, cost: cost, key: key)
        return cost
    }

    /// Settles a call that failed, records the failure, and narrows what is left to try.
    func fail(_ admission: consuming Admission, error: LLMError, usage: Usage = .zero, attempts: inout RoutingAttempts) {
        let index = admission.index
        admission.permit.take()?.failed(error)
        let now = clock.nanoseconds
        let cooldown = configuration.cooldown
        state.withLock { state in
            state.runtimes[index].inFlight -= 1
            if error.kind != .cancelled { state.runtimes[index].lastFailure = now }
            if error.kind == .rateLimited {
                let bench = error.isQuotaExhausted ? cooldown.quotaExhaustedCooldown : error.retryAfter ?? cooldown.rateLimitCooldown
                state.runtimes[index].coolingUntil = max(state.runtimes[index].coolingUntil, now + bench.nanoseconds)
            }
        }
        // A stream that broke off after some output is billed for it.
        let cost = deployments[index].pricing.cost(of: usage)
        settle(admission, usage: usage, cost: cost, key: attempts.key)
        attempts.failures.append(
            RoutingDecision.FailedAttempt(
                deployment: deployments[index].name, error: error.kind, message: error.message,
                latency: .nanoseconds(now - admission.started)))
        attempts.lastError = error
        reroute(&attempts, after: error, from: index)
    }

    private func settle(_ admission: borrowing Admission, usage: Usage, cost: Cost, key: String?) {
        let index = admission.index
        if usage != .zero || cost != .zero { ledger.record(cost, usage: usage, deployment: deployments[index].name, key: key) }
        spending.settle(admission.reservation, actual: cost)
        if admission.reservedTokens > 0 {
            // Keep the estimate when the provider reported no usage; otherwise bill what it says.
            let actual = usage == .zero ? admission.reservedTokens : usage.totalTokens
            tokenLimiters[index]?.reconcile(reserved: admission.reservedTokens, actual: actual, for: 0)
        }
    }
}
