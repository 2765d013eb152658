import Foundation
import LLMCore
import LLMProviders
import ModelRouting
import Resilience
import Retrieval

/// The models the chatbot answers with, chosen from the environment.
public enum ChatbotModels {
    /// The answering model and the intent classifier, and a line saying what they are.
    public struct Setup: Sendable {
        /// Writes the answers.
        public var model: any ChatModel
        /// Decides intents.
        public var intentClassifier: any IntentClassifying
        /// What was configured, for the banner.
        public var summary: String
    }

    /// Offline (no key set): the extractive answerer and keyword intents. With `OPENAI_API_KEY` or
    /// `OPENAI_BASE_URL` (any OpenAI-compatible server, such as a local `llama-server`) and/or
    /// `ANTHROPIC_API_KEY`: a `ModelRouter` that sends simple questions to a cheap model and complex
    /// ones to a strong one, falls back to the other provider and finally to the extractive
    /// answerer, each provider behind a timeout, a retry and a circuit breaker; intents are asked of
    /// the cheap model. Model names come from `SUPPORT_CHEAP_MODEL`, `SUPPORT_STRONG_MODEL` and
    /// `SUPPORT_ANTHROPIC_MODEL` (defaults: gpt-4o-mini, gpt-4o, claude-3-5-haiku-latest).
    ///
    /// `termStatistics` (the knowledge base's retriever) lets the extractive answerer weigh question
    /// words by their rarity in the whole documentation.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, termStatistics: (any TermStatistics)? = nil
    ) throws -> Setup {
        let extractive = ExtractiveAnswerer(termStatistics: termStatistics)
        var deployments: [Deployment] = []
        var cheap: [String] = [], strong: [String] = [], fallbacks: [String] = []
        var classifierModel: (any ChatModel)?
        let hasOpenAI = !(environment["OPENAI_API_KEY"] ?? "").isEmpty || !(environment["OPENAI_BASE_URL"] ?? "").isEmpty
        if hasOpenAI {
            let client = try guarded(OpenAIClient(configuration: .fromEnvironment(environment)), name: "openai")
            let cheapName = environment["SUPPORT_CHEAP_MODEL"] ?? "gpt-4o-mini"
            let strongName = environment["SUPPORT_STRONG_MODEL"] ?? "gpt-4o"
            deployments.append(Deployment(
                name: "openai/\(cheapName)", model: client, modelName: cheapName, provider: "openai",
                pricing: ModelPricing(input: 0.15, output: 0.60), capabilities: ModelCapabilities(contextWindow: 128_000)))
            cheap.append("openai/\(cheapName)")
            if strongName != cheapName {
                deployments.append(Deployment(
                    name: "openai/\(strongName)", model: client, modelName: strongName, provider: "openai",
                    pricing: ModelPricing(input: 2.50, output: 10), capabilities: ModelCapabilities(contextWindow: 128_000)))
            }
            strong.append("openai/\(strongName)")
            classifierModel = RequestModelName(base: client, model: cheapName)
        }
        if !(environment["ANTHROPIC_API_KEY"] ?? "").isEmpty {
            let name = environment["SUPPORT_ANTHROPIC_MODEL"] ?? "claude-3-5-haiku-latest"
            let client = try guarded(AnthropicClient(configuration: .fromEnvironment(environment)), name: "anthropic")
            deployments.append(Deployment(
                name: "anthropic/\(name)", model: client, modelName: name, provider: "anthropic",
                pricing: ModelPricing(input: 0.80, output: 4), capabilities: ModelCapabilities(contextWindow: 200_000)))
            if cheap.isEmpty { cheap.append("anthropic/\(name)"); strong.append("anthropic/\(name)") } else { fallbacks.append("anthropic/\(name)") }
            if classifierModel == nil { classifierModel = RequestModelName(base: client, model: name) }
        }
        guard !deployments.isEmpty else {
            return Setup(
                model: extractive, intentClassifier: HeuristicIntentClassifier(),
                summary: "offline: extractive answers (quoted documentation sentences, no language model) and keyword intents; set OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY for a real model")
        }
        deployments.append(Deployment(name: "local/extractive", model: extractive, provider: "local"))
        fallbacks.append("local/extractive")
        let router = try ModelRouter(
            deployments: deployments,
            routes: [.simple: Route(cheap, fallbacks: fallbacks), .medium: Route(cheap, fallbacks: strong + fallbacks),
                     .complex: Route(strong, fallbacks: fallbacks)],
            classifier: HeuristicClassifier())
        return Setup(
            model: router, intentClassifier: ModelIntentClassifier(model: classifierModel!),
            summary: "routed: " + deployments.map(\.name).joined(separator: ", ") + " (cheap for simple questions, strong for complex, then fallbacks)")
    }

    /// A provider client behind a 60-second timeout (20 seconds of stream silence), a circuit breaker
    /// and up to three attempts with jittered backoff.
    private static func guarded(_ client: some ChatModel, name: String) throws -> any ChatModel {
        let breaker = try CircuitBreaker(name: name, configuration: .init(
            slidingWindow: .time(.seconds(60), buckets: 12), minimumCalls: 5, openDuration: .fixed(.seconds(30)), halfOpenProbes: 1))
        return client
            .timeout(try Timeout(limit: .seconds(60), streamIdle: .seconds(20)))
            .circuitBreaking(breaker)
            .retrying(try Retrier(policy: RetryPolicy(maxAttempts: 3), budget: RetryBudget()))
    }
}

/// Sends every request to one named model of a client.
struct RequestModelName: ChatModel {
    let base: any ChatModel
    let model: String

    func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        var request = request
        request.model = model
        return try await base.respond(to: request)
    }

    func stream(_ request: ChatRequest) -> ChatStream {
        var request = request
        request.model = model
        return base.stream(request)
    }
}
