import LLMCore
import LLMTesting
import Testing

@Suite("ScriptedChatModel")
struct ScriptedChatModelTests {
    @Test("plays its steps in order and records requests")
    func script() async throws {
        let model = ScriptedChatModel([
            .failure(LLMError(kind: .overloaded, message: "busy")),
            .text("first"),
            .events([.textDelta("str"), .textDelta("eamed"), .finished(.stop)], thenFail: nil),
        ])
        await #expect(throws: LLMError.self) { try await model.respond(to: ChatRequest(messages: [.user("1")])) }
        #expect(try await model.stream(ChatRequest(messages: [.user("2")])).response().text == "first")
        #expect(try await model.respond(to: ChatRequest(model: "x", messages: [.user("3")])).text == "streamed")
        #expect(model.requests.map { $0.messages[0].text } == ["1", "2", "3"])
        #expect(model.remainingSteps == 0)
    }

    @Test("an exhausted script fails with a message saying what to do")
    func exhausted() async throws {
        let model = ScriptedChatModel([])
        do {
            _ = try await model.respond(to: ChatRequest(messages: [.user("x")]))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no more steps"))
        }
        let repeating = ScriptedChatModel([.text("again")], whenExhausted: .repeatLast)
        for _ in 0..<3 { #expect(try await repeating.respond(to: ChatRequest(messages: [.user("x")])).text == "again") }
    }

    @Test("a handler step answers from the request")
    func handler() async throws {
        let model = ScriptedChatModel([
            .handler { request throws(LLMError) in
                ChatResponse(message: .assistant("echo: " + request.messages[0].text), finishReason: .stop, model: "h")
            }
        ])
        #expect(try await model.stream(ChatRequest(messages: [.user("ping")])).response().text == "echo: ping")
    }
}
