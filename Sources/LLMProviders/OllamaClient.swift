import Foundation
import LLMCore

/// Where an Ollama server is. `OLLAMA_HOST` configures it as Ollama's own tools do.
public struct OllamaConfiguration: Sendable, CustomStringConvertible {
    /// What each model can do, for routers; models not listed get ``defaultCapabilities``.
    public var capabilities: [String: ModelCapabilities] = [:]
    /// What an unlisted model is assumed to do.
    public var defaultCapabilities = ModelCapabilities(tools: true, jsonSchema: true, vision: false)

    /// The server root (for example `http://127.0.0.1:11434`).
    public var baseURL: URL
    /// The model used when a request names none.
    public var defaultModel: String?
    /// How long Ollama keeps the model loaded after a request (`keep_alive`, such as `"5m"`), if set.
    public var keepAlive: String?
    /// Time limits for each request (a cold model load counts toward the first byte).
    public var timeouts: HTTPTimeouts

    /// Creates a configuration.
    public init(
        baseURL: URL = URL(string: "http://127.0.0.1:11434")!, defaultModel: String? = nil, keepAlive: String? = nil,
        timeouts: HTTPTimeouts = HTTPTimeouts(firstByte: .seconds(300))
    ) {
        self.baseURL = baseURL
        self.defaultModel = defaultModel
        self.keepAlive = keepAlive
        self.timeouts = timeouts
    }

    /// A configuration from `OLLAMA_HOST` (`host:port` or a URL; default `127.0.0.1:11434`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OllamaConfiguration {
        var configuration = OllamaConfiguration()
        if var host = environment["OLLAMA_HOST"], !host.isEmpty {
            if !host.contains("://") { host = "http://" + host }
            if let url = URL(string: host) {
                configuration.baseURL = url.port == nil && url.scheme == "http" ? URL(string: host + ":11434") ?? url : url
            }
        }
        return configuration
    }

    /// The settings.
    public var description: String { "OllamaConfiguration(baseURL: \(baseURL), defaultModel: \(defaultModel ?? "none"))" }
}

/// A client of Ollama's native API: `/api/chat` (streamed as newline-delimited JSON) and `/api/embed`.
///
/// The native API is used rather than Ollama's `/v1` because it exposes what `/v1` hides: load and
/// keep-alive control, `done_reason`, token counts on every answer (including streams without an
/// extra option) and JSON-schema output through `format`. Ollama gives tool calls no ids; this
/// client names them `call_0`, `call_1`… in order. It never retries.
public struct OllamaClient: ChatModel {
    /// Where the server is.
    public let configuration: OllamaConfiguration
    /// How requests are sent.
    public let transport: any HTTPTransport

    /// Creates a client.
    public init(configuration: OllamaConfiguration = .fromEnvironment(), transport: any HTTPTransport = URLSessionTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    /// Answers in one piece.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let (head, bytes) = try await transport.data(for: try post("api/chat", body: OllamaWire.chatBody(request, configuration: configuration, stream: false)))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes) }
        var decoder = OllamaStreamDecoder(defaultModel: request.model ?? configuration.defaultModel ?? "")
        var accumulator = ChatStreamAccumulator(defaultModel: request.model ?? "")
        for event in try decoder.decode(line: String(decoding: bytes, as: UTF8.self)) { try accumulator.apply(event) }
        guard decoder.isDone else { throw LLMError(kind: .decoding, message: "Ollama's answer is not finished (done is not true)", provider: "ollama") }
        return try accumulator.response()
    }

    /// Streams the answer.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let client = self
        return ChatStream { continuation throws(LLMError) in
            let body = try OllamaWire.chatBody(request, configuration: client.configuration, stream: true)
            let (head, chunks) = try await client.transport.send(try client.post("api/chat", body: body))
            guard (200..<300).contains(head.status) else {
                throw Self.error(head: head, bytes: try await chunks.collect(upTo: 1 << 20))
            }
            var parser = NDJSONLineParser()
            var decoder = OllamaStreamDecoder(defaultModel: request.model ?? client.configuration.defaultModel ?? "")
            for try await chunk in chunks {
                let lines: [String]
                do { lines = try parser.feed(chunk) } catch {
                    throw LLMError(kind: .decoding, message: "the stream is not newline-delimited JSON: \(error)", provider: "ollama")
                }
                for line in lines {
                    for event in try decoder.decode(line: line) { guard continuation.yield(event) else { return } }
                }
                if decoder.isDone { break }
            }
            if !decoder.isDone, let last = parser.finish() {
                for event in try decoder.decode(line: last) { continuation.yield(event) }
            }
            guard decoder.isDone else {
                throw LLMError(kind: .transport, message: "the stream ended before done (the server hung up)", provider: "ollama")
            }
        }
    }

    /// Embeds texts with `model` (`POST /api/embed`).
    public func embed(_ texts: [String], model: String) async throws(LLMError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let (head, bytes) = try await transport.data(for: try post("api/embed", body: ["model": .string(model), "input": .array(texts.map(JSONValue.string))]))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes) }
        guard let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)), let rows = json["embeddings"]?.arrayValue,
            rows.count == texts.count
        else { throw LLMError(kind: .decoding, message: "Ollama's embed answer has no embeddings for every text", provider: "ollama") }
        return try rows.map { row throws(LLMError) in
            try (row.arrayValue ?? []).map { value throws(LLMError) in
                guard let number = value.doubleValue else {
                    throw LLMError(kind: .decoding, message: "an embedding holds a non-number", provider: "ollama")
                }
                return Float(number)
            }
        }
    }

    private func post(_ path: String, body: JSONValue) throws(LLMError) -> HTTPRequest {
        let bytes: [UInt8]
        do { bytes = try body.serializedBytes() } catch {
            throw LLMError(kind: .badRequest, message: "the request cannot be written as JSON: \(error)")
        }
        return HTTPRequest(
            method: "POST", url: configuration.baseURL.appendingPathComponent(path), headers: ["Content-Type": "application/json"],
            body: Data(bytes), timeouts: configuration.timeouts)
    }

    /// Ollama's errors are `{"error": "…"}`.
    static func error(head: HTTPResponseHead, bytes: [UInt8]) -> LLMError {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        let message = (try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)))?["error"]?.stringValue
        return LLMError(httpStatus: head.status, headers: head.headers, message: message ?? (text.isEmpty ? "HTTP \(head.status)" : text), provider: "ollama")
    }
}

extension OllamaClient: CapabilityDescribing {
    /// The capabilities declared in the configuration for `model`, else its defaults.
    public func capabilities(forModel model: String) -> ModelCapabilities {
        configuration.capabilities[model] ?? configuration.defaultCapabilities
    }
}
