import Testing

@testable import LLMCore

@Suite("ChatRequest.estimatedPromptTokens")
struct PromptTokenEstimateTests {
    /// Counts one token per UTF-8 byte, so the expected totals can be worked out by hand.
    private struct ByteCounter: TokenCounter {
        func tokenCount(of text: String) -> Int { text.utf8.count }
    }

    @Test("counts the system prompt, every message and the framing per message")
    func messages() {
        let request = ChatRequest(systemPrompt: "be brief", messages: [.user("hi"), .assistant("hello")])
        // 3 to prime the reply, 4 per message (system included), then the texts.
        #expect(request.estimatedPromptTokens(using: ByteCounter()) == 3 + 4 + 8 + 4 + 2 + 4 + 5)
    }

    @Test("tool definitions count")
    func tools() {
        let plain = ChatRequest(messages: [.user("x")])
        let withTool = ChatRequest(
            messages: [.user("x")], tools: [ToolDefinition(name: "search", description: "find", parameters: [:])])
        #expect(withTool.estimatedPromptTokens(using: ByteCounter()) == plain.estimatedPromptTokens(using: ByteCounter()) + 6 + 4 + 2)
    }
}
