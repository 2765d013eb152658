import Foundation
import LLMCore
import Testing

@Suite("ModelCapabilities")
struct ModelCapabilitiesTests {
    private let tool = ToolDefinition(name: "t", description: "d")

    @Test("a request's needs are checked: tools, JSON schema, images, context window")
    func unmetNeeds() {
        let small = ModelCapabilities(contextWindow: 1_000)
        let plain = ChatRequest(messages: [.user("hi")], maxOutputTokens: 100)
        #expect(small.unmetNeed(of: plain, promptTokens: 10) == nil)
        #expect(small.unmetNeed(of: plain, promptTokens: 950)?.contains("window") == true)
        var withTools = plain
        withTools.tools = [tool]
        #expect(small.unmetNeed(of: withTools, promptTokens: 10) == "the request uses tools")
        #expect(ModelCapabilities(tools: true).unmetNeed(of: withTools, promptTokens: 10) == nil)
        var schema = plain
        schema.responseFormat = .jsonSchema(name: "a", schema: ["type": "object"], strict: true)
        #expect(small.unmetNeed(of: schema, promptTokens: 10) == "the request asks for a JSON schema")
        let image = ChatRequest(messages: [ChatMessage(role: .user, content: [.text("what?"), .imageURL("https://x/y.png")])])
        #expect(small.unmetNeed(of: image, promptTokens: 10) == "the request has images")
        #expect(ModelCapabilities(vision: true).unmetNeed(of: image, promptTokens: 10) == nil)
    }
}
