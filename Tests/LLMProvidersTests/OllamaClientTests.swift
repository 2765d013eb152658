import Foundation
import LLMCore
import LLMProviders
import Testing

private func reply(_ status: Int, _ body: String, type: String = "application/json") -> String {
    "HTTP/1.1 \(status) X\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
}

private func ollamaServer(_ response: String, seen: Recorder = Recorder(), byteByByte: Bool = false) throws -> TestHTTPServer {
    try TestHTTPServer { request, connection in
        seen.append(request)
        if byteByByte { for byte in response.utf8 { connection.write([byte]) } } else { connection.write(response) }
    }
}

private func client(_ server: TestHTTPServer) -> OllamaClient {
    OllamaClient(configuration: OllamaConfiguration(baseURL: server.url))
}

private let answer = #"""
    {"model":"qwen3","created_at":"2026-11-23T10:00:00Z","message":{"role":"assistant","content":"Let me check.","thinking":"Weather needed.","tool_calls":[{"function":{"name":"weather","arguments":{"city":"Paris"}}}]},"done_reason":"stop","done":true,"prompt_eval_count":25,"eval_count":9}
    """#

private let streamedLines = [
    #"{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Weather needed."},"done":false}"#,
    #"{"model":"qwen3","message":{"role":"assistant","content":"Let me "},"done":false}"#,
    #"{"model":"qwen3","message":{"role":"assistant","content":"check."},"done":false}"#,
    #"{"model":"qwen3","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"weather","arguments":{"city":"Paris"}}}]},"done":false}"#,
    #"{"model":"qwen3","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":25,"eval_count":9}"#,
]

private let request = ChatRequest(
    model: "qwen3", systemPrompt: "Be brief.",
    messages: [ChatMessage(role: .user, content: [.text("What is this?"), .imageData(Data([1, 2, 3]), mediaType: "image/png")])],
    tools: [ToolDefinition(name: "weather", description: "Weather")],
    responseFormat: .jsonSchema(name: "a", schema: ["type": "object"], strict: true), temperature: 0, maxOutputTokens: 32)

@Suite("Ollama client (local server)")
struct OllamaClientTests {
    @Test("the request uses the native format: options, format schema, base64 images, stream flag")
    func requestFormat() async throws {
        let seen = Recorder()
        let server = try ollamaServer(reply(200, answer), seen: seen)
        defer { withExtendedLifetime(server) {} }
        _ = try await client(server).respond(to: request)
        let sent = try #require(seen.first)
        #expect(sent.head.hasPrefix("POST /api/chat "))
        let body = try JSONValue(parsing: String(decoding: sent.body, as: UTF8.self))
        #expect(body["stream"] == false)
        #expect(body["format"] == ["type": "object"])
        #expect(body["options"] == ["temperature": 0.0, "num_predict": 32])
        #expect(body["messages"]?[0] == ["role": "system", "content": "Be brief."])
        #expect(body["messages"]?[1]?["images"] == [.string(Data([1, 2, 3]).base64EncodedString())])
    }

    @Test("one-shot and newline-delimited streamed answers (delivered byte by byte) agree")
    func streamEqualsOneShot() async throws {
        let plain = try ollamaServer(reply(200, answer))
        let streaming = try ollamaServer(reply(200, streamedLines.joined(separator: "\n") + "\n", type: "application/x-ndjson"), byteByByte: true)
        defer { withExtendedLifetime((plain, streaming)) {} }
        let oneShot = try await client(plain).respond(to: request)
        #expect(oneShot.text == "Let me check." && oneShot.reasoning == "Weather needed.")
        #expect(oneShot.toolCalls.first?.id == "call_0" && oneShot.toolCalls.first?.arguments == ["city": "Paris"])
        #expect(oneShot.usage == Usage(inputTokens: 25, outputTokens: 9))
        #expect(oneShot.finishReason == FinishReason.toolCalls)
        #expect(try await client(streaming).stream(request).response() == oneShot)
    }

    @Test("errors: a missing model is notFound; an error line and a cut-off stream are errors")
    func errors() async throws {
        let missing = try ollamaServer(reply(404, #"{"error":"model 'nope' not found, try pulling it first"}"#))
        let inStream = try ollamaServer(reply(200, streamedLines[1] + "\n" + #"{"error":"out of memory"}"# + "\n"))
        let cut = try ollamaServer(reply(200, streamedLines[1] + "\n"))
        defer { withExtendedLifetime((missing, inStream, cut)) {} }
        do {
            _ = try await client(missing).respond(to: request)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .notFound && error.message.contains("not found"), "\(error)")
        }
        await #expect(throws: LLMError.self) { _ = try await client(inStream).stream(request).response() }
        do {
            _ = try await client(cut).stream(request).response()
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .transport, "\(error)")
        }
    }

    @Test("OLLAMA_HOST is read as Ollama's tools read it")
    func environment() {
        #expect(OllamaConfiguration.fromEnvironment([:]).baseURL.absoluteString == "http://127.0.0.1:11434")
        #expect(OllamaConfiguration.fromEnvironment(["OLLAMA_HOST": "10.0.0.5:8000"]).baseURL.absoluteString == "http://10.0.0.5:8000")
        #expect(OllamaConfiguration.fromEnvironment(["OLLAMA_HOST": "gpu-box"]).baseURL.absoluteString == "http://gpu-box:11434")
        #expect(OllamaConfiguration.fromEnvironment(["OLLAMA_HOST": "https://ollama.example.com"]).baseURL.absoluteString == "https://ollama.example.com")
    }
}

@Suite("Declared capabilities")
struct CapabilityTests {
    @Test("clients answer with the capabilities declared per model, else their defaults")
    func declared() {
        var configuration = OpenAIConfiguration()
        configuration.capabilities["small"] = ModelCapabilities(tools: false, contextWindow: 8_192)
        let client = OpenAIClient(configuration: configuration)
        #expect(client.capabilities(forModel: "small").contextWindow == 8_192)
        #expect(!client.capabilities(forModel: "small").tools)
        #expect(client.capabilities(forModel: "other").jsonSchema)
        #expect(!AnthropicClient(configuration: AnthropicConfiguration()).capabilities(forModel: "claude").jsonSchema)
    }
}
