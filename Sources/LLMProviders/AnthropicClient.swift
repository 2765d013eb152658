import Foundation
import LLMCore

/// Where the Anthropic Messages API is and how to authenticate. The key is never printed.
public struct AnthropicConfiguration: Sendable, CustomStringConvertible {
    /// What each model can do, for routers; models not listed get ``defaultCapabilities``.
    public var capabilities: [String: ModelCapabilities] = [:]
    /// What an unlisted model is assumed to do.
    public var defaultCapabilities = ModelCapabilities(tools: true, jsonSchema: false, vision: true)

    /// The API root, without `/v1` (for example `https://api.anthropic.com`).
    public var baseURL: URL
    /// The `x-api-key`, if the server needs one.
    public var apiKey: String?
    /// The `anthropic-version` header.
    public var version: String
    /// Headers sent with every request (for example `anthropic-beta`).
    public var extraHeaders: [String: String]
    /// The model used when a request names none.
    public var defaultModel: String?
    /// `max_tokens` when a request sets no output limit (the API requires one).
    public var defaultMaxOutputTokens: Int
    /// Time limits for each request.
    public var timeouts: HTTPTimeouts

    /// Creates a configuration.
    public init(
        baseURL: URL = URL(string: "https://api.anthropic.com")!, apiKey: String? = nil, version: String = "2023-06-01",
        extraHeaders: [String: String] = [:], defaultModel: String? = nil, defaultMaxOutputTokens: Int = 4096,
        timeouts: HTTPTimeouts = HTTPTimeouts()
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.version = version
        self.extraHeaders = extraHeaders
        self.defaultModel = defaultModel
        self.defaultMaxOutputTokens = defaultMaxOutputTokens
        self.timeouts = timeouts
    }

    /// A configuration from `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> AnthropicConfiguration {
        var configuration = AnthropicConfiguration()
        if let key = environment["ANTHROPIC_API_KEY"], !key.isEmpty { configuration.apiKey = key }
        if let base = environment["ANTHROPIC_BASE_URL"], let url = URL(string: base) { configuration.baseURL = url }
        return configuration
    }

    /// The settings, with the key redacted.
    public var description: String {
        "AnthropicConfiguration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "<redacted>"), version: \(version))"
    }
}

/// A client of the Anthropic Messages API (`POST /v1/messages`), which llama.cpp's server also speaks.
///
/// Tool calls are `tool_use` blocks, tool results `tool_result` blocks (consecutive tool messages
/// become one user turn); streamed `input_json_delta` fragments are joined and parsed when their block
/// stops, then passed on whole, as a one-shot answer has them; `thinking_delta` becomes reasoning.
/// JSON-schema output is refused with advice (use a required tool). It never retries.
public struct AnthropicClient: ChatModel {
    /// Where the API is.
    public let configuration: AnthropicConfiguration
    /// How requests are sent.
    public let transport: any HTTPTransport

    /// Creates a client.
    public init(configuration: AnthropicConfiguration = .fromEnvironment(), transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    /// Answers in one piece.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let (head, bytes) = try await transport.data(for: try post(request, stream: false))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes) }
        let json: JSONValue
        do { json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            throw LLMError(kind: .decoding, message: "Anthropic's answer is not JSON: \(error)", provider: "anthropic")
        }
        return try AnthropicWire.response(from: json, requestedModel: request.model ?? configuration.defaultModel ?? "")
    }

    /// Streams the answer.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let client = self
        return ChatStream { continuation throws(LLMError) in
            let (head, body) = try await client.transport.send(try client.post(request, stream: true))
            guard (200..<300).contains(head.status) else {
                throw Self.error(head: head, bytes: try await body.collect(upTo: 1 << 20))
            }
            var parser = ServerSentEventParser()
            var decoder = AnthropicStreamDecoder(defaultModel: request.model ?? client.configuration.defaultModel ?? "")
            for try await chunk in body {
                let events: [ServerSentEvent]
                do { events = try parser.feed(chunk) } catch {
                    throw LLMError(kind: .decoding, message: "the stream is not valid server-sent events: \(error)")
                }
                for event in events {
                    for output in try decoder.decode(type: event.type, data: event.data) {
                        guard continuation.yield(output) else { return }
                    }
                }
                if decoder.isDone { break }
            }
            guard decoder.isDone else {
                throw LLMError(kind: .transport, message: "the stream ended before message_stop (the server hung up)", provider: "anthropic")
            }
        }
    }

    private func post(_ request: ChatRequest, stream: Bool) throws(LLMError) -> HTTPRequest {
        let body = try AnthropicWire.body(request, configuration: configuration, stream: stream)
        let bytes: [UInt8]
        do { bytes = try body.serializedBytes() } catch {
            throw LLMError(kind: .badRequest, message: "the request cannot be written as JSON: \(error)")
        }
        var headers = configuration.extraHeaders
        headers["content-type"] = "application/json"
        headers["anthropic-version"] = configuration.version
        if let key = configuration.apiKey { headers["x-api-key"] = key }
        return HTTPRequest(
            method: "POST", url: configuration.baseURL.appendingPathComponent("v1/messages"), headers: headers,
            body: Data(bytes), timeouts: configuration.timeouts)
    }

    /// The error a non-2xx response stands for (`{"type":"error","error":{"type":…,"message":…}}`).
    static func error(head: HTTPResponseHead, bytes: [UInt8]) -> LLMError {
        let envelope = (try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)))?["error"]
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return LLMError(
            httpStatus: head.status, headers: head.headers,
            message: envelope?["message"]?.stringValue ?? (text.isEmpty ? "HTTP \(head.status)" : text),
            providerCode: envelope?["type"]?.stringValue, provider: "anthropic")
    }
}

extension AnthropicClient: CapabilityDescribing {
    /// The capabilities declared in the configuration for `model`, else its defaults.
    public func capabilities(forModel model: String) -> ModelCapabilities {
        configuration.capabilities[model] ?? configuration.defaultCapabilities
    }
}
