import Foundation
import LLMCore
import LLMTesting
import ModelRouting

/// `llm-bench routing-sim [--requests 20000] [--seed 1] [--json]`
///
/// A seeded simulation through the real `ModelRouter`, `HeuristicClassifier` and `CostLedger`, in
/// virtual time. Requests arrive at 10 a second for `requests / 10` seconds; their true difficulty is
/// 70% simple, 20% medium, 10% complex, and their text comes from templates of each kind, so the
/// classifier sees realistic wording but is scored against the truth. Each deployment is a scripted
/// model that reports the token usage typical of the request's true tier. Quality is each
/// (model, tier) pair's assumed acceptance rate (see Benchmarks/README.md#routing); cost is the
/// ledger's exact sum at list prices.
///
/// Part 1 compares all-strong, all-cheap and two tiered policies: cost per 1,000 requests, quality
/// retained relative to all-strong, and the share each deployment served. Part 2 takes the primary
/// provider down for five minutes in the middle of the run and reports availability, overall and
/// during the outage, for the tiered policy with and without cross-provider fallbacks, and how many
/// calls the router still sent to the provider while it was down.
func runRoutingSimulation(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let requestCount = try arguments.int("requests", default: 20_000)
    let seed = UInt64(try arguments.int("seed", default: 1))
    let workload = RoutingWorkload(count: requestCount, seed: seed)

    var classifierReport = Report(json: json)
    let confusion = workload.classifierConfusion()
    classifierReport.add(Measurement(fields: [
        ("bench", .text("routing-classifier")), ("accuracy_percent", .number(confusion.accuracy * 100)),
        ("under_routed_percent", .number(confusion.underRouted * 100)), ("over_routed_percent", .number(confusion.overRouted * 100)),
    ]))
    classifierReport.printTable()
    var costReport = Report(json: json)
    var strongQuality = 0.0
    for policy in RoutingPolicy.allCases {
        let outcome = try blockingAwait { try await simulate(workload, policy: policy, outage: nil) }
        if policy == .allStrong { strongQuality = outcome.quality }
        costReport.add(Measurement(fields: [
            ("bench", .text("routing-cost")), ("policy", .text(policy.rawValue)),
            ("cost_per_1k_usd", .number(outcome.costPerThousand)), ("quality_percent", .number(outcome.quality * 100)),
            ("retained_percent", .number(outcome.quality / strongQuality * 100)),
            ("mini_percent", .number(outcome.share("gpt-4o-mini"))), ("4o_percent", .number(outcome.share("gpt-4o"))),
            ("router_us_per_request", .number(outcome.wallMicrosecondsPerRequest)),
        ]))
    }
    costReport.printTable()
    var outageReport = Report(json: json)
    let outage = (start: workload.duration / 2, length: 300.0)
    for fallbacks in [false, true] {
        let policy: RoutingPolicy = fallbacks ? .tieredWithFallbacks : .tiered
        let outcome = try blockingAwait { try await simulate(workload, policy: policy, outage: outage) }
        outageReport.add(Measurement(fields: [
            ("bench", .text("routing-outage")), ("policy", .text(policy.rawValue)),
            ("available_percent", .number(outcome.availability * 100)),
            ("available_in_outage_percent", .number(outcome.availabilityInOutage * 100)),
            ("calls_to_down_provider", .integer(outcome.callsToDownProvider)),
            ("requests_in_outage", .integer(outcome.requestsInOutage)),
            ("cost_per_1k_usd", .number(outcome.costPerThousand)),
        ]))
    }
    outageReport.printTable()
}

/// The policies compared.
enum RoutingPolicy: String, CaseIterable {
    case allStrong = "all-strong (gpt-4o)"
    case allCheap = "all-cheap (gpt-4o-mini)"
    case tiered = "tiered (simple→mini, medium+complex→4o)"
    case tieredAggressive = "tiered (simple+medium→mini, complex→4o)"
    case tieredWithFallbacks = "tiered + fallbacks to Anthropic"

    var routes: [Tier: Route] {
        switch self {
        case .allStrong: [.medium: Route(["gpt-4o"])]
        case .allCheap: [.medium: Route(["gpt-4o-mini"])]
        case .tiered: [.simple: Route(["gpt-4o-mini"]), .medium: Route(["gpt-4o"]), .complex: Route(["gpt-4o"])]
        case .tieredAggressive: [.simple: Route(["gpt-4o-mini"]), .medium: Route(["gpt-4o-mini"]), .complex: Route(["gpt-4o"])]
        case .tieredWithFallbacks:
            [.simple: Route(["gpt-4o-mini"], fallbacks: ["claude-haiku"]),
             .medium: Route(["gpt-4o"], fallbacks: ["claude-sonnet"]),
             .complex: Route(["gpt-4o"], fallbacks: ["claude-sonnet"])]
        }
    }

    var classifies: Bool { self != .allStrong && self != .allCheap }
}

/// The simulated deployments: list prices in dollars per million tokens (input, output), provider,
/// and the assumed share of acceptable answers on simple, medium and complex requests.
private let simulatedModels: [(name: String, provider: String, input: Double, output: Double, quality: [Double])] = [
    ("gpt-4o-mini", "openai", 0.15, 0.60, [0.96, 0.85, 0.55]),
    ("gpt-4o", "openai", 2.50, 10.00, [0.98, 0.95, 0.90]),
    ("claude-haiku", "anthropic", 0.80, 4.00, [0.97, 0.88, 0.62]),
    ("claude-sonnet", "anthropic", 3.00, 15.00, [0.98, 0.95, 0.91]),
]

/// Typical tokens in and out per true tier (simple, medium, complex), before ±30% seeded variation.
private let typicalTokens: [(input: Int, output: Int)] = [(250, 120), (900, 450), (2_000, 1_000)]

struct RoutingWorkload {
    struct Item {
        var request: ChatRequest
        var trueTier: Int
        var usage: Usage
        var arrival: Double
    }

    var items: [Item] = []
    var duration: Double

    init(count: Int, seed: UInt64) {
        var random = SeededRandomNumberGenerator(seed: seed)
        for index in 0..<count {
            let draw = Double.random(in: 0..<1, using: &random)
            let tier = draw < 0.7 ? 0 : draw < 0.9 ? 1 : 2
            let text = RoutingWorkload.prompt(tier: tier, random: &random)
            let (input, output) = typicalTokens[tier]
            let usage = Usage(
                inputTokens: Int(Double(input) * Double.random(in: 0.7...1.3, using: &random)),
                outputTokens: Int(Double(output) * Double.random(in: 0.7...1.3, using: &random)))
            var request = ChatRequest(messages: [.user(text)], user: "tenant-\(index % 50)")
            request.metadata["sim.index"] = String(index)
            items.append(Item(request: request, trueTier: tier, usage: usage, arrival: Double(index) / 10))
        }
        duration = Double(count) / 10
    }

    /// How the heuristic classifier's tiers compare with the truth.
    func classifierConfusion() -> (accuracy: Double, underRouted: Double, overRouted: Double) {
        let classifier = HeuristicClassifier()
        var right = 0, under = 0, over = 0
        let order: [Tier: Int] = [.simple: 0, .medium: 1, .complex: 2]
        for item in items {
            let guess = order[classifier.verdict(for: item.request).tier]!
            if guess == item.trueTier { right += 1 } else if guess < item.trueTier { under += 1 } else { over += 1 }
        }
        let total = Double(items.count)
        return (Double(right) / total, Double(under) / total, Double(over) / total)
    }

    private static func prompt(tier: Int, random: inout SeededRandomNumberGenerator) -> String {
        func pick(_ options: [String]) -> String { options[Int.random(in: 0..<options.count, using: &random)] }
        let subject = pick(["invoices", "password resets", "shipping times", "refunds", "the mobile app", "two-factor login", "exports to CSV"])
        switch tier {
        case 0:
            return pick([
                "What is the capital of \(pick(["France", "Peru", "Japan", "Kenya"]))?",
                "How do I change my email address?",
                "Where can I find \(subject) in my account?",
                "Translate '\(pick(["thank you", "good morning", "see you soon"]))' into \(pick(["Spanish", "German", "Italian"])).",
                "Is \(subject) available on the free plan?",
                "What does API stand for?",
                "Who wrote \(pick(["Middlemarch", "Dune", "The Trial"]))?",
            ])
        case 1:
            return pick([
                "Explain why \(subject) might fail for some customers. What should support check first?",
                "Compare monthly and annual billing for a team of \(Int.random(in: 3...40, using: &random)) people.",
                "Summarise the trade-offs of keeping \(subject) in one service.",
                "How do I set up single sign-on, and what are the common mistakes? Which settings matter most?",
                "Evaluate whether we should move \(subject) to a background job.",
            ])
        default:
            return pick([
                "Prove that the sum of the first n odd numbers is n^2, step by step.",
                "Debug this code:\n```python\ndef total(xs):\n    return sum(x for x in xs) / len(xs)\n```\nIt crashes on empty lists. Why, and how should it behave?",
                "Design a system that processes \(Int.random(in: 2...50, using: &random)) thousand \(subject) a minute; compare two architectures and justify the trade-offs.",
                "1. Estimate the load of \(subject)\n2. Propose a schema\n3. Write the migration\n4. Plan the rollout",
                "Solve 3x + \(Int.random(in: 2...9, using: &random)) = \(Int.random(in: 20...40, using: &random)) and then derive the probability that two dice sum to 7.",
            ])
        }
    }
}

struct RoutingOutcome {
    var requests = 0
    var succeeded = 0
    var requestsInOutage = 0
    var succeededInOutage = 0
    var callsToDownProvider = 0
    var quality = 0.0
    var costPerThousand = 0.0
    var served: [String: Int] = [:]
    var wallMicrosecondsPerRequest = 0.0

    var availability: Double { Double(succeeded) / Double(max(1, requests)) }
    var availabilityInOutage: Double { Double(succeededInOutage) / Double(max(1, requestsInOutage)) }
    func share(_ deployment: String) -> Double { Double(served[deployment] ?? 0) * 100 / Double(max(1, succeeded)) }
}

/// Counts calls to the provider while it is down; read after the run.
private final class OutageCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    func increment() { lock.withLock { calls += 1 } }
    var value: Int { lock.withLock { calls } }
}

private func simulate(_ workload: RoutingWorkload, policy: RoutingPolicy, outage: (start: Double, length: Double)?) async throws -> RoutingOutcome {
    let clock = ManualClock()
    let usageByIndex = workload.items.map(\.usage)
    let downCalls = OutageCounter()
    var deployments: [Deployment] = []
    for model in simulatedModels {
        let name = model.name, provider = model.provider
        let scripted = ScriptedChatModel([.handler { request throws(LLMError) in
            let seconds = Double(clock.now.offset.components.seconds)
            if let outage, provider == "openai", seconds >= outage.start, seconds < outage.start + outage.length {
                downCalls.increment()
                throw LLMError(kind: .overloaded, message: "simulated outage", httpStatus: 503, provider: provider)
            }
            let index = Int(request.metadata["sim.index"]!)!
            return ChatResponse(message: .assistant("ok"), finishReason: .stop, usage: usageByIndex[index], model: name)
        }], whenExhausted: .repeatLast)
        deployments.append(Deployment(
            name: name, model: scripted, provider: provider, pricing: ModelPricing(input: model.input, output: model.output),
            capabilities: ModelCapabilities(tools: true, jsonSchema: true, contextWindow: 128_000)))
    }
    let router = try ModelRouter(
        deployments: deployments, routes: policy.routes, classifier: policy.classifies ? HeuristicClassifier() : nil,
        configuration: RouterConfiguration(seed: 1), clock: clock)
    let qualityByName = Dictionary(uniqueKeysWithValues: simulatedModels.map { ($0.name, $0.quality) })

    var outcome = RoutingOutcome()
    var qualitySum = 0.0
    let wallStart = DispatchTime.now().uptimeNanoseconds
    for item in workload.items {
        await clock.advance(to: ManualClock.Instant(offset: .milliseconds(Int64(item.arrival * 1000))))
        let inOutage = outage.map { item.arrival >= $0.start && item.arrival < $0.start + $0.length } ?? false
        outcome.requests += 1
        if inOutage { outcome.requestsInOutage += 1 }
        do {
            let response = try await router.respond(to: item.request)
            let deployment = response.routing!.deployment
            outcome.succeeded += 1
            if inOutage { outcome.succeededInOutage += 1 }
            outcome.served[deployment, default: 0] += 1
            qualitySum += qualityByName[deployment]![item.trueTier]
        } catch {
            // A failed request counts as unavailable and earns no quality.
        }
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart)
    outcome.wallMicrosecondsPerRequest = wall / 1000 / Double(workload.items.count)
    outcome.quality = qualitySum / Double(workload.items.count)
    outcome.costPerThousand = router.ledger.total.dollars * 1000 / Double(workload.items.count)
    outcome.callsToDownProvider = downCalls.value
    return outcome
}
