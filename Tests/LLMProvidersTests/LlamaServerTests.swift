import Foundation
import LLMCore
import LLMProviders
import Testing

/// The OpenAI-compatible and Anthropic clients against a real llama.cpp server running SmolLM2-135M-Instruct
/// (and all-MiniLM-L6-v2 for embeddings).
@Suite(
    "Provider clients against a real llama-server",
    .serialized, .enabled(if: LlamaServer.available || LlamaServer.required, Comment(rawValue: LlamaServer.skipMessage)))
struct LlamaServerTests {
    private static func client(_ server: LlamaServer) -> OpenAIClient {
        OpenAIClient(configuration: OpenAIConfiguration(baseURL: server.baseURL, defaultModel: "smollm2"))
    }

    /// Without the prompt cache each request evaluates its whole prompt the same way, so two
    /// identical greedy requests give the same tokens (a cached prefix changes the batch shape, and
    /// with it the last bits of the logits, which could flip a near-tie).
    private static let deterministic = ["-c", "1024", "-np", "1", "--no-cache-prompt"]

    // Without a system prompt this tiny model rambles in French; with one it answers.
    private static let capital = ChatRequest(
        systemPrompt: "You are a helpful assistant.", messages: [.user("What is the capital of France?")], temperature: 0,
        maxOutputTokens: 24)

    @Test("one-shot and streamed chat give the same real answer, with usage", .timeLimit(.minutes(5)))
    func chat() async throws {
        let server = try await LlamaServer(model: try #require(LlamaServer.chatModel), arguments: Self.deterministic)
        defer { server.stop() }
        let client = Self.client(server)
        let oneShot = try await client.respond(to: Self.capital)
        #expect(oneShot.text.contains("Paris"))
        #expect(oneShot.usage.inputTokens > 0 && oneShot.usage.outputTokens > 0)

        var deltas = 0
        var accumulator = ChatStreamAccumulator()
        for try await event in client.stream(Self.capital) {
            if case .textDelta = event { deltas += 1 }
            try accumulator.apply(event)
        }
        let streamed = try accumulator.response()
        #expect(deltas > 1, "the answer arrived in pieces")
        #expect(streamed.text == oneShot.text)  // Temperature 0: the same tokens.
        #expect(streamed.usage.outputTokens == oneShot.usage.outputTokens)
        #expect(streamed.finishReason == oneShot.finishReason)
    }

    @Test("the Anthropic client through llama-server's /v1/messages: one-shot and streamed", .timeLimit(.minutes(5)))
    func anthropic() async throws {
        let server = try await LlamaServer(model: try #require(LlamaServer.chatModel), arguments: Self.deterministic)
        defer { server.stop() }
        let client = AnthropicClient(configuration: AnthropicConfiguration(
            baseURL: server.baseURL.deletingLastPathComponent(), defaultModel: "smollm2"))
        let oneShot = try await client.respond(to: Self.capital)
        #expect(oneShot.text.contains("Paris"), "\(oneShot.text)")
        #expect(oneShot.usage.outputTokens > 0)
        let streamed = try await client.stream(Self.capital).response()
        #expect(streamed.text == oneShot.text)
        #expect(streamed.finishReason == oneShot.finishReason)
    }

    @Test("stopping a stream early frees the server: the next request is answered at once", .timeLimit(.minutes(5)))
    func cancellation() async throws {
        let server = try await LlamaServer(model: try #require(LlamaServer.chatModel), arguments: ["-c", "4096", "-np", "1"])
        defer { server.stop() }
        let client = Self.client(server)
        let long = ChatRequest(messages: [.user("Write a very long story about a lighthouse keeper.")], temperature: 0, maxOutputTokens: 3_000)
        var seen = 0
        for try await event in client.stream(long) {
            if case .textDelta = event { seen += 1 }
            if seen == 3 { break }
        }
        // With one slot, the next answer would wait for 3,000 tokens if the server were still
        // generating for the abandoned stream.
        let started = ContinuousClock.now
        let next = try await client.respond(to: Self.capital)
        #expect(next.text.contains("Paris"))
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("a prompt beyond the context window is a context-length error", .timeLimit(.minutes(5)))
    func contextOverflow() async throws {
        let server = try await LlamaServer(model: try #require(LlamaServer.chatModel), arguments: ["-c", "256", "-np", "1"])
        defer { server.stop() }
        let huge = ChatRequest(messages: [.user(String(repeating: "lighthouse keeper ", count: 600))], temperature: 0, maxOutputTokens: 8)
        do {
            _ = try await Self.client(server).respond(to: huge)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .contextLengthExceeded, "\(error)")
        }
    }

    @Test(
        "real MiniLM embeddings: 384 dimensions, unit length, similar sentences closer",
        .timeLimit(.minutes(5)), .enabled(if: LlamaServer.embeddingModel != nil, "../shared/data/models is absent"))
    func embeddings() async throws {
        let server = try await LlamaServer(
            model: try #require(LlamaServer.embeddingModel), arguments: ["--embeddings", "--pooling", "mean", "-c", "512"])
        defer { server.stop() }
        let model = OpenAIEmbeddingModel(client: Self.client(server), model: "minilm", dimensions: 384)
        let vectors = try await model.embed([
            "How do I reset my password?", "I forgot my password, how can I change it?", "The weather in Oslo is cold.",
        ])
        func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / (norm(a) * norm(b)) }
        #expect(vectors.allSatisfy { $0.count == 384 })
        #expect(vectors.allSatisfy { abs(norm($0) - 1) < 1e-3 })
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2)
    }
}
