import Foundation
import LLMCore

/// Where an OpenAI-compatible server is and how to authenticate: OpenAI itself, Azure-style base
/// URLs, vLLM, llama.cpp's server, Ollama's `/v1`, LM Studio, OpenRouter.
///
/// The API key is never printed: ``description`` shows it redacted.
public struct OpenAIConfiguration: Sendable, CustomStringConvertible {
    /// What each model can do, for routers; models not listed get ``defaultCapabilities``.
    public var capabilities: [String: ModelCapabilities] = [:]
    /// What an unlisted model is assumed to do.
    public var defaultCapabilities = ModelCapabilities(tools: true, jsonSchema: true, vision: true)

    /// The URL the endpoints hang off, ending in `/v1` (for example `http://127.0.0.1:8080/v1`).
    public var baseURL: URL
    /// The bearer token, if the server needs one.
    public var apiKey: String?
    /// Headers sent with every request (OpenRouter's `HTTP-Referer`, Azure's `api-key`…).
    public var extraHeaders: [String: String]
    /// Query parameters added to every URL (Azure's `api-version`).
    public var queryParameters: [String: String] = [:]
    /// The model used when a request names none.
    public var defaultModel: String?
    /// Which field carries ``LLMCore/ChatRequest/maxOutputTokens``: `max_tokens` (every compatible
    /// server) or `max_completion_tokens` (required by OpenAI's reasoning models).
    public var maxTokensField: String
    /// Time limits for each request.
    public var timeouts: HTTPTimeouts
    /// A short name for the provider in errors.
    public var providerName: String

    /// Creates a configuration.
    public init(
        baseURL: URL = URL(string: "https://api.openai.com/v1")!, apiKey: String? = nil,
        extraHeaders: [String: String] = [:], defaultModel: String? = nil, maxTokensField: String = "max_tokens",
        timeouts: HTTPTimeouts = HTTPTimeouts(), providerName: String = "openai"
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.extraHeaders = extraHeaders
        self.defaultModel = defaultModel
        self.maxTokensField = maxTokensField
        self.timeouts = timeouts
        self.providerName = providerName
    }

    /// A configuration from `OPENAI_API_KEY` and `OPENAI_BASE_URL` (defaulting to OpenAI's API).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OpenAIConfiguration {
        var configuration = OpenAIConfiguration()
        if let key = environment["OPENAI_API_KEY"], !key.isEmpty { configuration.apiKey = key }
        if let base = environment["OPENAI_BASE_URL"], let url = URL(string: base) { configuration.baseURL = url }
        return configuration
    }

    /// The settings, with the API key redacted.
    public var description: String {
        "OpenAIConfiguration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "<redacted>"), "
            + "extraHeaders: \(extraHeaders.keys.sorted()), defaultModel: \(defaultModel ?? "none"))"
    }
}
