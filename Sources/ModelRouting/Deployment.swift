import LLMCore

/// One model on one provider that a ``ModelRouter`` can send requests to, with what it costs and
/// what it can do.
///
/// ```swift
/// let mini = Deployment(
///     name: "openai/gpt-4o-mini", model: openAI, modelName: "gpt-4o-mini", provider: "openai",
///     pricing: ModelPricing(input: 0.15, output: 0.60),
///     capabilities: ModelCapabilities(tools: true, jsonSchema: true, contextWindow: 128_000),
///     requestsPerMinute: 500)
/// ```
public struct Deployment: Sendable {
    /// A name unique within the router, used in routes, routing decisions and the cost ledger.
    public var name: String
    /// The client that answers.
    public var model: any ChatModel
    /// Written into ``ChatRequest/model`` before the call, so one client can serve several
    /// deployments; `nil` leaves the request's model as it is.
    public var modelName: String?
    /// Who runs the model (for example `openai`). A content-filter refusal falls back to a
    /// deployment of another provider.
    public var provider: String
    /// What the deployment charges.
    public var pricing: ModelPricing
    /// What the deployment can serve: tools, JSON schemas, images, its context window.
    public var capabilities: ModelCapabilities
    /// The most requests a minute the router sends it, if limited.
    public var requestsPerMinute: Int?
    /// The most tokens (estimated prompt plus output limit, reconciled with reported usage) a minute
    /// the router sends it, if limited.
    public var tokensPerMinute: Int?
    /// Its share of the traffic under weighted strategies, relative to the others in its group (≥ 1).
    public var weight: Int

    /// Creates a deployment.
    ///
    /// - Parameters:
    ///   - capabilities: What it can do; by default what `model` declares if it is
    ///     `CapabilityDescribing`, else a text-only chat model of unknown window.
    public init(
        name: String, model: any ChatModel, modelName: String? = nil, provider: String = "",
        pricing: ModelPricing = .free, capabilities: ModelCapabilities? = nil,
        requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, weight: Int = 1
    ) {
        self.name = name
        self.model = model
        self.modelName = modelName
        self.provider = provider
        self.pricing = pricing
        if let capabilities {
            self.capabilities = capabilities
        } else if let describing = model as? any CapabilityDescribing {
            self.capabilities = describing.capabilities(forModel: modelName ?? "")
        } else {
            self.capabilities = ModelCapabilities()
        }
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.weight = weight
    }

    /// The cost of `promptTokens` in and `outputTokens` out at this deployment's prices.
    func estimatedCost(promptTokens: Int, outputTokens: Int) -> Cost {
        pricing.cost(of: Usage(inputTokens: promptTokens, outputTokens: outputTokens))
    }
}
