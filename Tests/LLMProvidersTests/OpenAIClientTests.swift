import Foundation
import LLMCore
import LLMProviders
import Synchronization
import Testing

/// The requests a test server received.
final class Recorder: Sendable {
    private let requests = Mutex<[TestHTTPServer.Request]>([])
    func append(_ request: TestHTTPServer.Request) { requests.withLock { $0.append(request) } }
    var first: TestHTTPServer.Request? { requests.withLock { $0.first } }
}

/// A server that answers every request with `response` and remembers the requests.
private func server(_ response: String, seen: Recorder = Recorder()) throws -> TestHTTPServer {
    try TestHTTPServer { request, connection in
        seen.append(request)
        connection.write(response)
    }
}

private func json(_ status: Int, _ body: String, headers: String = "") -> String {
    "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
}

private func sse(_ events: [String]) -> String {
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events.map { "data: \($0)\n\n" }.joined()
}

private func client(_ server: TestHTTPServer, key: String? = "sk-test-secret") -> OpenAIClient {
    OpenAIClient(configuration: OpenAIConfiguration(baseURL: server.url.appendingPathComponent("v1"), apiKey: key))
}

private let weather = ToolDefinition(
    name: "weather", description: "Weather for a city",
    parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])

private let completion = #"""
    {"id":"chatcmpl-1","object":"chat.completion","model":"m-1","choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":12,"prompt_tokens_details":{"cached_tokens":10}}}
    """#

/// The same answer as `completion`, streamed: parallel tool calls interleaved by index, usage last.
private let streamed = [
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"content":"Check"}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"content":"ing."}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"weather","arguments":""}}]}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":"}}]}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"Oslo\"}"}}]}}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    #"{"id":"chatcmpl-1","model":"m-1","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":12,"prompt_tokens_details":{"cached_tokens":10}}}"#,
    "[DONE]",
]

private let request = ChatRequest(
    model: "m-1", systemPrompt: "Be brief.", messages: [.user("Weather in Paris and Oslo?")], tools: [weather],
    toolChoice: .auto, responseFormat: .jsonSchema(name: "answer", schema: ["type": "object"], strict: true),
    temperature: 0, maxOutputTokens: 64)

@Suite("OpenAI-compatible client (local server)")
struct OpenAIClientTests {
    @Test("the request is written in the chat-completions format, with the key as a bearer token")
    func requestFormat() async throws {
        let seen = Recorder()
        let server = try server(json(200, completion), seen: seen)
        defer { withExtendedLifetime(server) {} }
        _ = try await client(server).respond(to: request)
        let sent = try #require(seen.first)
        #expect(sent.head.hasPrefix("POST /v1/chat/completions "))
        #expect(sent.head.contains("Authorization: Bearer sk-test-secret"))
        let body = try JSONValue(parsing: String(decoding: sent.body, as: UTF8.self))
        #expect(body["model"] == "m-1")
        #expect(body["messages"]?[0] == ["role": "system", "content": "Be brief."])
        #expect(body["messages"]?[1] == ["role": "user", "content": "Weather in Paris and Oslo?"])
        #expect(body["tools"]?[0]?["function"]?["name"] == "weather")
        #expect(body["tool_choice"] == "auto")
        #expect(body["response_format"]?["json_schema"]?["strict"] == true)
        #expect(body["max_tokens"] == 64)
        #expect(body["stream"] == nil)
    }

    @Test("a one-shot answer: text, parallel tool calls, finish reason and usage")
    func oneShot() async throws {
        let server = try server(json(200, completion))
        defer { withExtendedLifetime(server) {} }
        let response = try await client(server).respond(to: request)
        #expect(response.text == "Checking.")
        #expect(response.toolCalls.map { $0.id } == ["call_a", "call_b"])
        #expect(response.toolCalls[1].arguments == ["city": "Oslo"])
        #expect(response.finishReason == FinishReason.toolCalls)
        #expect(response.usage == Usage(inputTokens: 30, outputTokens: 12, cachedInputTokens: 10))
        #expect(response.model == "m-1" && response.id == "chatcmpl-1")
    }

    @Test("the streamed answer folds into the same response as the one-shot answer")
    func streamEqualsOneShot() async throws {
        let seen = Recorder()
        let streaming = try server(sse(streamed), seen: seen)
        let plain = try server(json(200, completion))
        defer { withExtendedLifetime((streaming, plain)) {} }
        let streamedResponse = try await client(streaming).stream(request).response()
        let oneShot = try await client(plain).respond(to: request)
        #expect(streamedResponse == oneShot)
        let body = try JSONValue(parsing: String(decoding: try #require(seen.first).body, as: UTF8.self))
        #expect(body["stream"] == true && body["stream_options"]?["include_usage"] == true)
    }

    @Test("an error sent inside a stream is thrown as a typed error")
    func inStreamError() async throws {
        let server = try server(sse([
            streamed[0], #"{"error":{"message":"Rate limit reached for requests","type":"rate_limit_error","code":"rate_limit_exceeded"}}"#,
        ]))
        defer { withExtendedLifetime(server) {} }
        do {
            _ = try await client(server).stream(request).response()
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("Rate limit reached"))
            #expect(error.providerCode == "rate_limit_exceeded")
        }
    }

    @Test("a stream the server cuts off is an error, not a short answer")
    func cutOff() async throws {
        let server = try server(sse(Array(streamed.prefix(3))))
        defer { withExtendedLifetime(server) {} }
        do {
            _ = try await client(server).stream(request).response()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .transport)
        }
    }

    @Test(
        "HTTP errors map to kinds, with Retry-After",
        arguments: [
            (429, #"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#, "Retry-After: 7\r\n", LLMError.Kind.rateLimited, Duration.seconds(7) as Duration?),
            (429, #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#, "", .rateLimited, nil),
            (401, #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#, "", .authentication, nil),
            (400, #"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}"#, "", .contextLengthExceeded, nil),
            (503, "upstream unavailable", "retry-after-ms: 1500\r\n", .overloaded, .milliseconds(1500)),
            (404, #"{"error":{"message":"The model `nope` does not exist","code":"model_not_found"}}"#, "", .notFound, nil),
        ])
    func httpErrors(status: Int, body: String, headers: String, kind: LLMError.Kind, retryAfter: Duration?) async throws {
        let server = try server(json(status, body, headers: headers))
        defer { withExtendedLifetime(server) {} }
        do {
            _ = try await client(server).respond(to: request)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == kind)
            #expect(error.httpStatus == status)
            #expect(error.retryAfter == retryAfter)
            #expect(!error.description.contains("sk-test-secret"))
            if body.contains("insufficient_quota") { #expect(error.isQuotaExhausted && !error.isRetryable) }
        }
    }

    @Test("embeddings come back in input order; models are listed")
    func embeddingsAndModels() async throws {
        let embeddings = try server(json(200, #"{"data":[{"index":1,"embedding":[0.5,1]},{"index":0,"embedding":[1,0]}],"model":"e"}"#))
        defer { withExtendedLifetime(embeddings) {} }
        #expect(try await client(embeddings).embed(["a", "b"], model: "e") == [[1, 0], [0.5, 1]])
        let model = OpenAIEmbeddingModel(client: client(embeddings), model: "e", dimensions: 3)
        await #expect(throws: LLMError.self) { try await model.embed(["a", "b"]) }
        let models = try server(json(200, #"{"object":"list","data":[{"id":"m-1"},{"id":"m-2"}]}"#))
        defer { withExtendedLifetime(models) {} }
        #expect(try await client(models).models() == ["m-1", "m-2"])
    }

    @Test("the key never appears in descriptions; the environment configures the client")
    func configuration() {
        let configuration = OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "sk-live-123", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(configuration.apiKey == "sk-live-123")
        #expect(configuration.baseURL.absoluteString == "http://127.0.0.1:9/v1")
        #expect(!configuration.description.contains("sk-live-123"))
        #expect(!"\(configuration)".contains("sk-live-123"))
    }
}

@Suite("OpenAI-compatible client: Azure-style URLs")
struct AzureStyleTests {
    @Test("query parameters (api-version) and extra headers (api-key) go on every request")
    func azure() async throws {
        let seen = Recorder()
        let server = try TestHTTPServer { request, connection in
            seen.append(request)
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"data\":[]}")
        }
        defer { withExtendedLifetime(server) {} }
        var configuration = OpenAIConfiguration(
            baseURL: server.url.appendingPathComponent("openai/deployments/gpt"), extraHeaders: ["api-key": "azure-key"])
        configuration.queryParameters = ["api-version": "2024-10-21"]
        _ = try await OpenAIClient(configuration: configuration).models()
        let sent = try #require(seen.first)
        #expect(sent.head.hasPrefix("GET /openai/deployments/gpt/models?api-version=2024-10-21 "))
        #expect(sent.head.lowercased().contains("api-key: azure-key"))
    }
}
