import Foundation
import LLMCore
import LLMProviders
import Testing

private func respond(_ status: Int, _ body: String, headers: String = "") -> String {
    "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
}

private func events(_ list: [(String, String)]) -> String {
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        + list.map { "event: \($0.0)\r\ndata: \($0.1)\r\n\r\n" }.joined()
}

private func anthropicServer(_ response: String, seen: Recorder = Recorder()) throws -> TestHTTPServer {
    try TestHTTPServer { request, connection in
        seen.append(request)
        connection.write(response)
    }
}

private func client(_ server: TestHTTPServer) -> AnthropicClient {
    AnthropicClient(configuration: AnthropicConfiguration(baseURL: server.url, apiKey: "sk-ant-secret"))
}

private let message = #"""
    {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"thinking","thinking":"Need weather."},{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"cache_read_input_tokens":100,"output_tokens":15}}
    """#

private let streamed: [(String, String)] = [
    ("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":20,"cache_read_input_tokens":100,"output_tokens":1}}}"#),
    ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
    ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Need weather."}}"#),
    ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
    ("ping", #"{"type":"ping"}"#),
    ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
    ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me "}}"#),
    ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"check."}}"#),
    ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
    ("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}"#),
    ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"ci"}}"#),
    ("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ty\": \"Paris\"}"}}"#),
    ("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
    ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":15}}"#),
    ("message_stop", #"{"type":"message_stop"}"#),
]

private let request = ChatRequest(
    model: "claude-x", systemPrompt: "Be brief.",
    messages: [
        .user("Weather in Paris and Oslo?"),
        ChatMessage(role: .assistant, content: [], toolCalls: [
            try! ToolCall(id: "t1", name: "weather", arguments: ["city": "Paris"]),
            try! ToolCall(id: "t2", name: "weather", arguments: ["city": "Oslo"]),
        ]),
        ChatMessage(role: .tool, content: [.text("18 C")], toolCallID: "t1"),
        ChatMessage(role: .tool, content: [.text("4 C")], toolCallID: "t2"),
    ],
    tools: [ToolDefinition(name: "weather", description: "Weather", parameters: ["type": "object"])], toolChoice: .required,
    temperature: 0)

@Suite("Anthropic client (local server)")
struct AnthropicClientTests {
    @Test("the request: headers, system, tool_use and merged tool_result turns, max_tokens")
    func requestFormat() async throws {
        let seen = Recorder()
        let server = try anthropicServer(respond(200, message), seen: seen)
        defer { withExtendedLifetime(server) {} }
        _ = try await client(server).respond(to: request)
        let sent = try #require(seen.first)
        #expect(sent.head.hasPrefix("POST /v1/messages "))
        #expect(sent.head.lowercased().contains("x-api-key: sk-ant-secret"))
        #expect(sent.head.lowercased().contains("anthropic-version: 2023-06-01"))
        let body = try JSONValue(parsing: String(decoding: sent.body, as: UTF8.self))
        #expect(body["system"] == "Be brief.")
        #expect(body["max_tokens"] == 4096)
        #expect(body["tool_choice"] == ["type": "any"])
        #expect(body["messages"]?.arrayValue?.count == 3)
        #expect(body["messages"]?[1]?["content"]?[1]?["type"] == "tool_use")
        #expect(body["messages"]?[2]?["role"] == "user")
        #expect(body["messages"]?[2]?["content"]?.arrayValue?.map { $0["tool_use_id"] } == ["t1", "t2"])
    }

    @Test("one-shot answer: thinking, text, tool call, stop reason, usage with cache reads")
    func oneShot() async throws {
        let server = try anthropicServer(respond(200, message))
        defer { withExtendedLifetime(server) {} }
        let response = try await client(server).respond(to: request)
        #expect(response.text == "Let me check.")
        #expect(response.reasoning == "Need weather.")
        #expect(response.toolCalls.first?.arguments == ["city": "Paris"])
        #expect(response.finishReason == FinishReason.toolCalls)
        #expect(response.usage == Usage(inputTokens: 120, outputTokens: 15, cachedInputTokens: 100))
    }

    @Test("the event stream (pings, thinking, split input_json) folds into the one-shot answer, also byte by byte")
    func streamEqualsOneShot() async throws {
        let plain = try anthropicServer(respond(200, message))
        let streaming = try anthropicServer(events(streamed))
        let trickle = try TestHTTPServer { _, connection in
            for byte in events(streamed).utf8 { connection.write([byte]) }
        }
        defer { withExtendedLifetime((plain, streaming, trickle)) {} }
        let oneShot = try await client(plain).respond(to: request)
        #expect(try await client(streaming).stream(request).response() == oneShot)
        #expect(try await client(trickle).stream(request).response() == oneShot)
    }

    @Test("an error event in the stream and an overloaded 529 are typed errors")
    func errors() async throws {
        let inStream = try anthropicServer(events([streamed[0], ("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)]))
        let overloaded = try anthropicServer(respond(529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, headers: "retry-after: 3\r\n"))
        let cut = try anthropicServer(events(Array(streamed.prefix(8))))
        defer { withExtendedLifetime((inStream, overloaded, cut)) {} }
        do {
            _ = try await client(inStream).stream(request).response()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .overloaded, "\(error)")
        }
        do {
            _ = try await client(overloaded).respond(to: request)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .overloaded && error.retryAfter == .seconds(3) && error.isRetryable, "\(error)")
        }
        do {
            _ = try await client(cut).stream(request).response()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .transport, "\(error)")
        }
    }

    @Test("the key stays out of descriptions; the environment configures the client")
    func configuration() {
        let configuration = AnthropicConfiguration.fromEnvironment(["ANTHROPIC_API_KEY": "sk-ant-live", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"])
        #expect(configuration.apiKey == "sk-ant-live")
        #expect(!configuration.description.contains("sk-ant-live"))
    }
}
