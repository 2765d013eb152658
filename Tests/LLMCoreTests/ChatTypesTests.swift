import Foundation
import Testing

@testable import LLMCore

@Suite("Chat types")
struct ChatTypesTests {
    @Test("a full request survives a Codable round trip")
    func requestRoundTrip() throws {
        let call = try ToolCall(id: "c1", name: "lookup", argumentsText: #"{"q":"swift"}"#)
        let request = ChatRequest(
            model: "m", systemPrompt: "Be brief.",
            messages: [
                .user("hi"),
                ChatMessage(role: .user, content: [.text("look"), .imageURL("https://example.com/a.png"), .imageData(Data([1, 2, 3]), mediaType: "image/png")]),
                .assistant("", toolCalls: [call]),
                .toolResult(callID: "c1", "found"),
            ],
            tools: [ToolDefinition(name: "lookup", description: "Search", parameters: ["type": "object", "properties": ["q": ["type": "string"]]])],
            toolChoice: .tool(name: "lookup"),
            responseFormat: .jsonSchema(name: "answer", schema: ["type": "object"], strict: true),
            temperature: 0.2, topP: 0.9, maxOutputTokens: 100, stopSequences: ["END"], user: "u-1",
            metadata: ["tenant": "acme"])
        let data = try JSONEncoder().encode(request)
        #expect(try JSONDecoder().decode(ChatRequest.self, from: data) == request)
        #expect(throws: Never.self) { try request.validate() }
    }

    @Test("an unknown role is a decoding error that lists the known ones")
    func unknownRole() {
        let json = Data(#"{"role":"wizard","content":[],"toolCalls":[]}"#.utf8)
        #expect {
            try JSONDecoder().decode(ChatMessage.self, from: json)
        } throws: { error in
            "\(error)".contains("unknown chat role 'wizard'")
        }
    }

    @Test("an unknown finish reason is kept, not refused")
    func unknownFinishReason() throws {
        let reasons = try JSONDecoder().decode([FinishReason].self, from: Data(#"["stop","tool_calls","pause_turn"]"#.utf8))
        #expect(reasons == [.stop, .toolCalls, .other("pause_turn")])
        #expect(try String(decoding: JSONEncoder().encode(reasons), as: UTF8.self) == #"["stop","tool_calls","pause_turn"]"#)
    }

    @Test("an unknown content part type is a decoding error")
    func unknownContentPart() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ContentPart.self, from: Data(#"{"type":"video","url":"x"}"#.utf8))
        }
    }

    @Test("a tool call with invalid argument JSON cannot be created or decoded")
    func invalidToolCall() {
        #expect {
            try ToolCall(id: "c", name: "f", argumentsText: "{not json}")
        } throws: { error in
            (error as? LLMError)?.kind == .decoding
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ToolCall.self, from: Data(#"{"id":"c","name":"f","arguments":"[1,"}"#.utf8))
        }
    }

    @Test(
        "validation catches mistakes before the network",
        arguments: [
            (ChatRequest(messages: []), "no messages"),
            (ChatRequest(messages: [.user("x")], temperature: .nan), "temperature"),
            (ChatRequest(messages: [.user("x")], temperature: -1), "temperature"),
            (ChatRequest(messages: [.user("x")], topP: 0), "topP"),
            (ChatRequest(messages: [.user("x")], maxOutputTokens: 0), "maxOutputTokens"),
            (ChatRequest(messages: [.user("x")], tools: [ToolDefinition(name: "bad name", description: "")]), "tool name"),
            (ChatRequest(messages: [.user("x")], tools: [ToolDefinition(name: "f", description: ""), ToolDefinition(name: "f", description: "")]), "defined twice"),
            (ChatRequest(messages: [.user("x")], toolChoice: .tool(name: "g")), "not among"),
            (ChatRequest(messages: [.user("x")], toolChoice: .required), "no tools"),
            (ChatRequest(messages: [.user("x"), ChatMessage(role: .tool, content: [.text("r")])]), "without a toolCallID"),
            (ChatRequest(messages: [.user("x"), .toolResult(callID: "nope", "r")]), "no assistant message made"),
        ])
    func validation(request: ChatRequest, fragment: String) {
        #expect {
            try request.validate()
        } throws: { error in
            let error = error as! LLMError
            return error.kind == .badRequest && error.message.contains(fragment)
        }
    }
}
