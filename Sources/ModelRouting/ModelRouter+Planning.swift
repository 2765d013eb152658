import LLMCore
import Resilience

extension ModelRouter {
    /// Classifies the request, filters its route by capability and health, and orders what to try.
    func plan(_ request: ChatRequest, streaming: Bool) async throws(LLMError) -> RoutingAttempts {
        try request.validate()
        var reasons: [String] = []
        var tier: Tier?
        if let classifier {
            let verdict = await classifier.classify(request)
            tier = verdict.tier
            reasons.append(verdict.reason)
        }
        var routeTier = tier ?? configuration.defaultTier
        if routes[routeTier] == nil {
            reasons.append("no route for tier '\(routeTier)'; using the default tier '\(configuration.defaultTier)'")
            routeTier = configuration.defaultTier
        }
        let route = routes[routeTier]!
        let promptTokens = request.estimatedPromptTokens(using: configuration.tokenCounter)

        var excluded: [String] = []
        func capable(_ names: [String]) -> [Int] {
            names.compactMap { name in
                let index = indexByName[name]!
                if let need = deployments[index].capabilities.unmetNeed(of: request, promptTokens: promptTokens) {
                    excluded.append("\(name) cannot serve it: \(need)")
                    return nil
                }
                return index
            }
        }
        var group = capable(route.deployments)
        var fallbacks = capable(route.fallbacks.filter { !route.deployments.contains($0) })
        if group.isEmpty && fallbacks.isEmpty {
            // Nothing in the tier can serve it: any deployment that can, cheapest first.
            let inRoute = Set(route.deployments + route.fallbacks)
            fallbacks = byEstimatedCost(
                deployments.indices.filter {
                    !inRoute.contains(deployments[$0].name)
                        && deployments[$0].capabilities.unmetNeed(of: request, promptTokens: promptTokens) == nil
                }, promptTokens: promptTokens, outputTokens: outputTokens(for: request))
            guard !fallbacks.isEmpty else {
                let windowOnly = excluded.allSatisfy { $0.contains("window") }
                throw LLMError(
                    kind: windowOnly ? .contextLengthExceeded : .badRequest,
                    message: "no deployment can serve this request (about \(promptTokens) prompt tokens): " + excluded.joined(separator: "; "))
            }
            reasons.append(contentsOf: excluded)
            reasons.append("no deployment of tier '\(routeTier)' can serve it; trying \(fallbacks.map { deployments[$0].name }.joined(separator: ", "))")
            excluded = []
        }
        reasons.append(contentsOf: excluded)
        if group.isEmpty { group = [fallbacks.removeFirst()] }

        let outputTokens = outputTokens(for: request)
        let queue = order(group: group, fallbacks: fallbacks, streaming: streaming, promptTokens: promptTokens, outputTokens: outputTokens, reasons: &reasons)
        guard !queue.isEmpty else {
            throw LLMError(
                kind: .circuitOpen,
                message: "every deployment that can serve this request is forced open (switched off by an operator); reset one to route again")
        }
        return RoutingAttempts(
            original: request, promptTokens: promptTokens, outputTokens: outputTokens, key: configuration.budgetKey(request),
            tier: tier, strategy: configuration.loadBalancing, reasons: reasons, queue: queue)
    }

    func outputTokens(for request: ChatRequest) -> Int {
        request.maxOutputTokens ?? configuration.assumedOutputTokens
    }

    func byEstimatedCost(_ indices: [Int], promptTokens: Int, outputTokens: Int) -> [Int] {
        indices.sorted {
            deployments[$0].estimatedCost(promptTokens: promptTokens, outputTokens: outputTokens)
                < deployments[$1].estimatedCost(promptTokens: promptTokens, outputTokens: outputTokens)
        }
    }

    /// Whether a deployment is cooling down: its breaker is open, or a 429 benched it.
    private func isCooling(_ index: Int, breakerState: CircuitBreaker.State, runtime: DeploymentRuntime, now: Int64) -> Bool {
        breakerState == .open || breakerState == .forcedOpen || runtime.coolingUntil > now
    }

    /// The available group ordered by the balancing strategy, then the available fallbacks; or, when
    /// everything is cooling down, the one that failed least recently, as a last resort.
    func order(
        group: [Int], fallbacks: [Int], streaming: Bool, promptTokens: Int, outputTokens: Int, reasons: inout [String]
    ) -> [(index: Int, bypass: Bool)] {
        let candidates = group + fallbacks
        let breakerStates = Dictionary(uniqueKeysWithValues: candidates.map { ($0, breakers[$0].state) })
        let now = clock.nanoseconds
        return state.withLock { state in
            var cooling: [String] = []
            func available(_ index: Int) -> Bool {
                guard isCooling(index, breakerState: breakerStates[index]!, runtime: state.runtimes[index], now: now) else { return true }
                cooling.append(deployments[index].name)
                return false
            }
            let group = group.filter(available)
            let fallbacks = fallbacks.filter(available)
            if !cooling.isEmpty { reasons.append("cooling down: \(cooling.joined(separator: ", "))") }
            if group.isEmpty && fallbacks.isEmpty {
                // Never cool a group into an outage: try whichever failed longest ago (an operator's
                // forced-open breaker is the one thing respected).
                let usable = candidates.filter { breakerStates[$0] != .forcedOpen }
                guard let pick = usable.min(by: { (state.runtimes[$0].lastFailure ?? .min) < (state.runtimes[$1].lastFailure ?? .min) }) else {
                    return []
                }
                reasons.append("every deployment is cooling down; trying \(deployments[pick].name), the least recently failed")
                return [(pick, true)]
            }
            let ordered = balance(group, state: &state, streaming: streaming, promptTokens: promptTokens, outputTokens: outputTokens)
            return (ordered + fallbacks).map { ($0, false) }
        }
    }

    /// Orders a group by the configured strategy, the pick first.
    private func balance(_ group: [Int], state: inout RouterState, streaming: Bool, promptTokens: Int, outputTokens: Int) -> [Int] {
        guard group.count > 1 else { return group }
        let byWeight = group.sorted { deployments[$0].weight > deployments[$1].weight }
        func pickFirst(_ pick: Int) -> [Int] { [pick] + byWeight.filter { $0 != pick } }
        /// A random order to break ties with, drawn once per decision.
        var tieBreak: [Int: UInt64] = [:]
        for index in group { tieBreak[index] = state.random.next() }

        switch configuration.loadBalancing {
        case .weightedRoundRobin:
            // nginx's smooth weighted round robin: everyone gains its weight, the richest is picked
            // and pays the total.
            let total = group.reduce(0) { $0 + deployments[$1].weight }
            for index in group { state.runtimes[index].currentWeight += deployments[index].weight }
            let pick = group.max {
                state.runtimes[$0].currentWeight < state.runtimes[$1].currentWeight
                    || state.runtimes[$0].currentWeight == state.runtimes[$1].currentWeight && $0 > $1
            }!
            state.runtimes[pick].currentWeight -= total
            return pickFirst(pick)
        case .weightedRandom:
            let total = UInt64(group.reduce(0) { $0 + deployments[$1].weight })
            var draw = state.random.next() % total
            for index in group {
                let weight = UInt64(deployments[index].weight)
                if draw < weight { return pickFirst(index) }
                draw -= weight
            }
            return byWeight
        case .leastInFlight:
            return group.sorted { a, b in
                // Compare inFlight / weight without division.
                let left = state.runtimes[a].inFlight * deployments[b].weight
                let right = state.runtimes[b].inFlight * deployments[a].weight
                return left != right ? left < right : tieBreak[a]! < tieBreak[b]!
            }
        case .lowestLatency:
            if Double(state.random.next() >> 11) / Double(1 << 53) < configuration.latencyExploration {
                return pickFirst(group[Int(state.random.next() % UInt64(group.count))])
            }
            func latency(_ index: Int) -> Double {
                let runtime = state.runtimes[index]
                return (streaming ? runtime.firstTokenAverage ?? runtime.totalAverage : runtime.totalAverage) ?? -1
            }
            return group.sorted { a, b in
                latency(a) != latency(b) ? latency(a) < latency(b) : tieBreak[a]! < tieBreak[b]!
            }
        case .lowestCost:
            return group.sorted { a, b in
                let costA = deployments[a].estimatedCost(promptTokens: promptTokens, outputTokens: outputTokens)
                let costB = deployments[b].estimatedCost(promptTokens: promptTokens, outputTokens: outputTokens)
                if costA != costB { return costA < costB }
                let inFlightA = state.runtimes[a].inFlight, inFlightB = state.runtimes[b].inFlight
                return inFlightA != inFlightB ? inFlightA < inFlightB : tieBreak[a]! < tieBreak[b]!
            }
        }
    }

    /// After `failed` returned `error`, narrows what is left to try: a larger context window after
    /// a context-length error, another provider after a content-filter refusal.
    func reroute(_ attempts: inout RoutingAttempts, after error: LLMError, from failed: Int) {
        let request = attempts.original
        let promptTokens = attempts.promptTokens
        func extend(_ remaining: [(index: Int, bypass: Bool)], where fits: (Int) -> Bool, what: String) {
            var entries = remaining.filter { fits($0.index) }
            if entries.isEmpty {
                let more = deployments.indices.filter {
                    !attempts.tried.contains($0) && fits($0)
                        && deployments[$0].capabilities.unmetNeed(of: request, promptTokens: promptTokens) == nil
                }
                entries = byEstimatedCost(more, promptTokens: promptTokens, outputTokens: attempts.outputTokens).map { ($0, false) }
                if !entries.isEmpty {
                    attempts.reasons.append("\(what): trying \(entries.map { deployments[$0.index].name }.joined(separator: ", "))")
                }
            }
            attempts.replaceRemaining(with: entries)
        }
        switch error.kind {
        case .contextLengthExceeded:
            let window = deployments[failed].capabilities.contextWindow
            extend(attempts.remaining, where: { index in
                guard let window else { return true }
                return (deployments[index].capabilities.contextWindow ?? 0) > window
            }, what: "\(deployments[failed].name)'s context window was too small")
        case .contentFiltered:
            let refused = Set(attempts.failures.filter { $0.error == .contentFiltered }.compactMap { indexByName[$0.deployment] }.map { deployments[$0].provider })
            extend(attempts.remaining, where: { !refused.contains(deployments[$0].provider) }, what: "\(deployments[failed].provider) refused the content")
        default:
            break
        }
    }
}
