import Foundation
import LLMCore

/// A client of the OpenAI chat-completions API and the servers that speak it.
///
/// It never retries: wrap it with Resilience's decorators for that, so retries happen in exactly
/// one layer. Every failure is an ``LLMCore/LLMError`` whose kind comes from the HTTP status and
/// the provider's error code, with `retryAfter` read from `retry-after-ms` or `Retry-After`;
/// an error a server sends inside a stream (`data: {"error": …}`) is thrown the same way.
public struct OpenAIClient: ChatModel {
    /// Where the server is.
    public let configuration: OpenAIConfiguration
    /// How requests are sent.
    public let transport: any HTTPTransport

    /// Creates a client.
    public init(configuration: OpenAIConfiguration = .fromEnvironment(), transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    /// Answers in one piece (`POST /chat/completions`).
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let body = try OpenAIWire.chatBody(request, configuration: configuration, stream: false)
        let json = try await postJSON("chat/completions", body: body)
        return try OpenAIWire.response(from: json, requestedModel: request.model ?? configuration.defaultModel ?? "")
    }

    /// Streams the answer (`stream: true` with usage in the last event).
    public func stream(_ request: ChatRequest) -> ChatStream {
        let configuration = configuration
        let transport = transport
        return ChatStream { continuation throws(LLMError) in
            let body = try OpenAIWire.chatBody(request, configuration: configuration, stream: true)
            let (head, bytes) = try await transport.send(Self.post("chat/completions", body: body, configuration: configuration))
            guard (200..<300).contains(head.status) else {
                throw Self.error(head: head, bytes: try await bytes.collect(upTo: 1 << 20), configuration: configuration)
            }
            var parser = ServerSentEventParser()
            var decoder = OpenAIStreamDecoder(defaultModel: request.model ?? configuration.defaultModel ?? "")
            for try await chunk in bytes {
                let events: [ServerSentEvent]
                do { events = try parser.feed(chunk) } catch {
                    throw LLMError(kind: .decoding, message: "the stream is not valid server-sent events: \(error)")
                }
                for event in events {
                    for output in try decoder.decode(event.data, provider: configuration.providerName) {
                        guard continuation.yield(output) else { return }
                    }
                    if decoder.isDone { break }
                }
                if decoder.isDone { break }
            }
            for output in try decoder.finish() { continuation.yield(output) }
        }
    }

    /// Embeds texts with `model` (`POST /embeddings`); vectors in input order.
    public func embed(_ texts: [String], model: String) async throws(LLMError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let json = try await postJSON("embeddings", body: ["model": .string(model), "input": .array(texts.map(JSONValue.string))])
        guard let data = json["data"]?.arrayValue else {
            throw LLMError(kind: .decoding, message: "the embeddings response has no data array", provider: configuration.providerName)
        }
        var vectors = [[Float]?](repeating: nil, count: texts.count)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.integerValue.map(Int.init) ?? position
            guard vectors.indices.contains(index), let values = item["embedding"]?.arrayValue else {
                throw LLMError(kind: .decoding, message: "an embedding has a bad index or no vector", provider: configuration.providerName)
            }
            vectors[index] = try values.map { value throws(LLMError) in
                guard let number = value.doubleValue else {
                    throw LLMError(kind: .decoding, message: "an embedding holds a non-number", provider: configuration.providerName)
                }
                return Float(number)
            }
        }
        guard vectors.allSatisfy({ $0 != nil }) else {
            throw LLMError(kind: .decoding, message: "the server returned \(data.count) embeddings for \(texts.count) texts", provider: configuration.providerName)
        }
        return vectors.map { $0! }
    }

    /// The ids of the models the server offers (`GET /models`).
    public func models() async throws(LLMError) -> [String] {
        let (head, body) = try await transport.data(for: HTTPRequest(
            method: "GET", url: Self.url("models", configuration: configuration), headers: Self.headers(configuration),
            timeouts: configuration.timeouts))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: body, configuration: configuration) }
        let json = try Self.parse(body, provider: configuration.providerName)
        return json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    // MARK: HTTP

    private func postJSON(_ path: String, body: JSONValue) async throws(LLMError) -> JSONValue {
        let (head, bytes) = try await transport.data(for: Self.post(path, body: body, configuration: configuration))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes, configuration: configuration) }
        return try Self.parse(bytes, provider: configuration.providerName)
    }

    static func post(_ path: String, body: JSONValue, configuration: OpenAIConfiguration) throws(LLMError) -> HTTPRequest {
        let bytes: [UInt8]
        do { bytes = try body.serializedBytes() } catch {
            throw LLMError(kind: .badRequest, message: "the request cannot be written as JSON: \(error)")
        }
        var headers = headers(configuration)
        headers["Content-Type"] = "application/json"
        return HTTPRequest(
            method: "POST", url: url(path, configuration: configuration), headers: headers, body: Data(bytes),
            timeouts: configuration.timeouts)
    }

    /// `path` under the base URL, with the configured query parameters.
    static func url(_ path: String, configuration: OpenAIConfiguration) -> URL {
        let url = configuration.baseURL.appendingPathComponent(path)
        guard !configuration.queryParameters.isEmpty, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url
        }
        components.queryItems = configuration.queryParameters.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return components.url ?? url
    }

    static func headers(_ configuration: OpenAIConfiguration) -> [String: String] {
        var headers = configuration.extraHeaders
        if let key = configuration.apiKey { headers["Authorization"] = "Bearer \(key)" }
        return headers
    }

    static func parse(_ bytes: [UInt8], provider: String) throws(LLMError) -> JSONValue {
        do {
            return try JSONValue(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw LLMError(kind: .decoding, message: "the server's answer is not JSON: \(error)", provider: provider)
        }
    }

    /// The error a non-2xx response stands for, from its status, headers and error envelope.
    static func error(head: HTTPResponseHead, bytes: [UInt8], configuration: OpenAIConfiguration) -> LLMError {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        let envelope = (try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)))?["error"]
        let message = envelope?["message"]?.stringValue ?? envelope?.stringValue ?? (text.isEmpty ? "HTTP \(head.status)" : text)
        let code = envelope?["code"]?.stringValue ?? envelope?["type"]?.stringValue
        return LLMError(
            httpStatus: head.status, headers: head.headers, message: message, providerCode: code,
            provider: configuration.providerName)
    }
}

/// An ``LLMCore/EmbeddingModel`` on an OpenAI-compatible `/embeddings` endpoint.
public struct OpenAIEmbeddingModel: EmbeddingModel {
    /// The client that sends the requests.
    public let client: OpenAIClient
    /// The embedding model's id.
    public let model: String
    /// The length of the model's vectors (checked on every answer).
    public let dimensions: Int

    /// Creates an embedding model.
    public init(client: OpenAIClient, model: String, dimensions: Int) {
        self.client = client
        self.model = model
        self.dimensions = dimensions
    }

    /// Embeds `texts`.
    ///
    /// - Throws: ``LLMCore/LLMError``; kind `decoding` when a vector has another length than ``dimensions``.
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        let vectors = try await client.embed(texts, model: model)
        if let bad = vectors.first(where: { $0.count != dimensions }) {
            throw LLMError(kind: .decoding, message: "\(model) returned \(bad.count)-dimensional vectors, not \(dimensions)")
        }
        return vectors
    }
}

extension OpenAIClient: CapabilityDescribing {
    /// The capabilities declared in the configuration for `model`, else its defaults.
    public func capabilities(forModel model: String) -> ModelCapabilities {
        configuration.capabilities[model] ?? configuration.defaultCapabilities
    }
}
