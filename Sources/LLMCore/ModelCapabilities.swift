/// What a model can be asked to do, so a router never sends a request where it cannot be served.
public struct ModelCapabilities: Sendable, Hashable, Codable {
    /// Whether it accepts tools and returns tool calls.
    public var tools: Bool
    /// Whether it can be held to a JSON schema (`ResponseFormat.jsonSchema`).
    public var jsonSchema: Bool
    /// Whether it accepts images.
    public var vision: Bool
    /// Whether it streams.
    public var streaming: Bool
    /// Whether it makes embeddings (an embedding model rather than a chat model).
    public var embeddings: Bool
    /// The most tokens of prompt and answer together, when known.
    public var contextWindow: Int?
    /// The most tokens it writes in one answer, when known.
    public var maxOutputTokens: Int?

    /// Creates a description; by default a text-only chat model that streams.
    public init(
        tools: Bool = false, jsonSchema: Bool = false, vision: Bool = false, streaming: Bool = true,
        embeddings: Bool = false, contextWindow: Int? = nil, maxOutputTokens: Int? = nil
    ) {
        self.tools = tools
        self.jsonSchema = jsonSchema
        self.vision = vision
        self.streaming = streaming
        self.embeddings = embeddings
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
    }

    /// Why this model cannot serve `request`, or `nil` when it can: tools, a JSON schema or images it
    /// does not take, or a prompt (estimated with `promptTokens`) plus output limit over its window.
    public func unmetNeed(of request: ChatRequest, promptTokens: Int) -> String? {
        if !request.tools.isEmpty && !tools { return "the request uses tools" }
        if case .jsonSchema = request.responseFormat, !jsonSchema { return "the request asks for a JSON schema" }
        let hasImages = request.messages.contains { message in
            message.content.contains { if case .text = $0 { false } else { true } }
        }
        if hasImages && !vision { return "the request has images" }
        if let window = contextWindow, promptTokens + (request.maxOutputTokens ?? 0) > window {
            return "the prompt (\(promptTokens) tokens) and output limit exceed the \(window)-token window"
        }
        return nil
    }
}

/// A client that can say what each of its models can do.
public protocol CapabilityDescribing: Sendable {
    /// The capabilities of `model` as declared to this client, or the client's defaults.
    func capabilities(forModel model: String) -> ModelCapabilities
}
