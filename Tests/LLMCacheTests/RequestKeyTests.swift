import Foundation
import LLMCore
import Testing

@testable import LLMCache

@Suite("Request cache keys")
struct RequestKeyTests {
    private func toolCall(id: String, arguments: String) throws -> ToolCall {
        try ToolCall(id: id, name: "lookup", argumentsText: arguments)
    }

    @Test("the same request built differently — JSON key order, whitespace, tool-call ids — has the same key")
    func stability() throws {
        let schemaA: JSONValue = try JSONValue(parsing: #"{"type": "object", "properties": {"q": {"type": "string"}}}"#)
        let schemaB: JSONValue = try JSONValue(parsing: #"{"properties":{"q":{"type":"string"}},"type":"object"}"#)
        func request(schema: JSONValue, callID: String, arguments: String) throws -> ChatRequest {
            ChatRequest(
                model: "m", systemPrompt: "be brief",
                messages: [
                    .user("find x"),
                    .assistant("", toolCalls: [try toolCall(id: callID, arguments: arguments)]),
                    .toolResult(callID: callID, "x is 4"),
                ],
                tools: [ToolDefinition(name: "lookup", description: "finds", parameters: schema)],
                temperature: 0)
        }
        let first = try request(schema: schemaA, callID: "call_abc", arguments: #"{"q": "x", "limit": 3}"#).cacheKey()
        let second = try request(schema: schemaB, callID: "call_zzz", arguments: #"{"limit":3,"q":"x"}"#).cacheKey()
        #expect(first != nil)
        #expect(first == second)
    }

    @Test("everything that changes the answer changes the key")
    func sensitivity() throws {
        let base = ChatRequest(model: "m", systemPrompt: "s", messages: [.user("hi")], temperature: 0)
        var variants: [ChatRequest] = []
        var changed = base; changed.model = "other"; variants.append(changed)
        changed = base; changed.systemPrompt = "t"; variants.append(changed)
        changed = base; changed.messages = [.user("hi!")]; variants.append(changed)
        changed = base; changed.messages = [.assistant("hi")]; variants.append(changed)
        changed = base; changed.maxOutputTokens = 10; variants.append(changed)
        changed = base; changed.stopSequences = ["\n"]; variants.append(changed)
        changed = base; changed.responseFormat = .jsonObject; variants.append(changed)
        changed = base; changed.toolChoice = ToolChoice.none; variants.append(changed)
        changed = base; changed.topP = 0.5; variants.append(changed)
        let keys = try variants.map { try #require(try $0.cacheKey()) }
        let baseKey = try #require(try base.cacheKey())
        #expect(Set(keys).count == variants.count)
        #expect(!keys.contains(baseKey))
        #expect(try base.cacheKey(partition: "tenant-a") != baseKey)
        var unsent = base
        unsent.metadata = ["trace": "1"]
        #expect(try unsent.cacheKey() == baseKey, "metadata is never sent to a provider")
    }

    @Test("sampled requests are keyed only when the caller opts in")
    func sampling() throws {
        let sampled = ChatRequest(messages: [.user("a poem")], temperature: 0.7)
        let providerDefault = ChatRequest(messages: [.user("a poem")])
        #expect(try sampled.cacheKey() == nil)
        #expect(try providerDefault.cacheKey() == nil, "no temperature means the provider's default, which samples")
        #expect(try sampled.cacheKey(cachingSampledRequests: true) != nil)
    }

    @Test("the key is SHA-256 of a documented canonical form, pinned here so it never drifts")
    func pinned() throws {
        let request = ChatRequest(model: "gpt-4o-mini", messages: [.user("Hello")], temperature: 0)
        let canonical = try request.canonicalForm(partition: nil).serialized(options: .sortedKeys)
        #expect(canonical == #"{"max_output_tokens":null,"messages":[{"content":[{"text":"Hello"}],"role":"user"}],"model":"gpt-4o-mini","partition":null,"response_format":"text","stop":[],"system":null,"temperature":0.0,"tool_choice":null,"tools":[],"top_p":null,"v":1}"#)
        // Computed independently: printf '%s' "$canonical" | sha256sum
        #expect(try request.cacheKey()?.hex == "fa8f3364545600d3c487c1c11b4b75c664cb5f9f50e7cfbe766f7ea0454842f6")
    }

    @Test("keys round-trip through their hexadecimal form and refuse malformed ones")
    func codable() throws {
        let key = CacheKey(hashing: "x")
        let data = try JSONEncoder().encode([key])
        #expect(try JSONDecoder().decode([CacheKey].self, from: data) == [key])
        #expect(throws: (any Error).self) { try JSONDecoder().decode([CacheKey].self, from: Data(#"["abc"]"#.utf8)) }
        #expect(throws: LLMError.self) { try CacheKey(digest: [1, 2, 3]) }
    }
}
