import LLMCore
import LLMTesting
import ModelRouting

/// A question with no sign of difficulty.
let simpleRequest = ChatRequest(messages: [.user("What is the capital of France?")])

func error(_ kind: LLMError.Kind, retryAfter: Duration? = nil) -> LLMError {
    LLMError(kind: kind, message: "scripted \(kind.rawValue)", retryAfter: retryAfter)
}

/// A scripted model that says its own name, forever.
func answering(_ name: String, usage: Usage = Usage(inputTokens: 10, outputTokens: 5)) -> ScriptedChatModel {
    ScriptedChatModel([.text("from \(name)", model: name, usage: usage)], whenExhausted: .repeatLast)
}

func deployment(
    _ name: String, _ model: any ChatModel, provider: String = "p", pricing: ModelPricing = .free,
    capabilities: ModelCapabilities = ModelCapabilities(), weight: Int = 1, requestsPerMinute: Int? = nil
) -> Deployment {
    Deployment(
        name: name, model: model, provider: provider, pricing: pricing, capabilities: capabilities,
        requestsPerMinute: requestsPerMinute, weight: weight)
}

/// A router over `deployments` with one route: a group and fallbacks.
func makeRouter(
    _ deployments: [Deployment], group: [String], fallbacks: [String] = [], balancing: LoadBalancing = .weightedRoundRobin,
    budgets: [Budget] = [], clock: ManualClock = ManualClock(), seed: UInt64 = 7
) throws -> ModelRouter {
    try ModelRouter(
        deployments: deployments, routes: [.medium: Route(group, fallbacks: fallbacks)],
        configuration: RouterConfiguration(loadBalancing: balancing, budgets: budgets, latencyExploration: 0, seed: seed),
        clock: clock)
}

/// Reads a whole stream, returning its events or the error that ended it.
func collect(_ stream: ChatStream) async -> (events: [ChatStreamEvent], error: LLMError?) {
    var events: [ChatStreamEvent] = []
    do {
        for try await event in stream { events.append(event) }
    } catch {
        return (events, error)
    }
    return (events, nil)
}
