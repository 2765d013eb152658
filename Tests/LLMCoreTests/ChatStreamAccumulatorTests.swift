import Testing

@testable import LLMCore

@Suite("ChatStreamAccumulator")
struct ChatStreamAccumulatorTests {
    private func fold(_ events: [ChatStreamEvent]) throws(LLMError) -> ChatResponse {
        var accumulator = ChatStreamAccumulator(defaultModel: "fallback")
        for event in events { try accumulator.apply(event) }
        return try accumulator.response()
    }

    @Test("interleaved deltas of parallel tool calls are joined per call, in index order")
    func parallelToolCalls() throws {
        let response = try fold([
            .responseStarted(id: "resp_1", model: "gpt-test"),
            .textDelta("Checking "),
            .toolCallStarted(index: 1, id: "call_b", name: "get_time"),
            .toolCallStarted(index: 0, id: "call_a", name: "get_weather"),
            .toolCallArgumentsDelta(index: 0, fragment: #"{"ci"#),
            .toolCallArgumentsDelta(index: 1, fragment: #"{"zone":"#),
            .toolCallArgumentsDelta(index: 0, fragment: #"ty":"Par"#),
            .textDelta("both."),
            .toolCallArgumentsDelta(index: 1, fragment: #""UTC"}"#),
            .toolCallArgumentsDelta(index: 0, fragment: #"is","days":[1,2]}"#),
            .toolCallEnded(index: 1),
            .toolCallEnded(index: 0),
            .finished(.toolCalls),
            .usage(Usage(inputTokens: 12, outputTokens: 30)),
        ])
        #expect(response.text == "Checking both.")
        #expect(response.model == "gpt-test")
        #expect(response.id == "resp_1")
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage == Usage(inputTokens: 12, outputTokens: 30))
        #expect(response.toolCalls.map(\.id) == ["call_a", "call_b"])
        #expect(response.toolCalls[0].arguments == ["city": "Paris", "days": [1, 2]])
        #expect(response.toolCalls[0].argumentsText == #"{"city":"Paris","days":[1,2]}"#)
        #expect(response.toolCalls[1].arguments == ["zone": "UTC"])
    }

    @Test("running usage totals merge by taking the largest value per field")
    func usageMerging() throws {
        let response = try fold([
            .usage(Usage(inputTokens: 100, cachedInputTokens: 40)),
            .textDelta("x"),
            .usage(Usage(outputTokens: 5)),
            .usage(Usage(outputTokens: 9, reasoningTokens: 3)),
            .finished(.stop),
        ])
        #expect(response.usage == Usage(inputTokens: 100, outputTokens: 9, cachedInputTokens: 40, reasoningTokens: 3))
        #expect(response.model == "fallback")
    }

    @Test("a stream without a finish event is a retryable transport error, not a silent truncation")
    func missingFinish() {
        #expect {
            try fold([.textDelta("partial answer")])
        } throws: { error in
            let error = error as! LLMError
            return error.kind == .transport && error.isRetryable && error.message.contains("without a finish event")
        }
    }

    @Test("arguments that do not form JSON give a decoding error naming the call")
    func invalidArguments() {
        #expect {
            try fold([
                .toolCallStarted(index: 0, id: "call_x", name: "lookup"),
                .toolCallArgumentsDelta(index: 0, fragment: #"{"q": "unterminated"#),
                .finished(.toolCalls),
            ])
        } throws: { error in
            let error = error as! LLMError
            return error.kind == .decoding && error.message.contains("call_x") && error.message.contains("lookup")
        }
    }

    @Test("empty arguments mean an empty object")
    func emptyArguments() throws {
        let response = try fold([.toolCallStarted(index: 0, id: "c", name: "now"), .finished(.toolCalls)])
        #expect(response.toolCalls[0].arguments == .object([:]))
        #expect(response.toolCalls[0].argumentsText == "{}")
    }

    @Test(
        "contradictory tool-call events are rejected",
        arguments: [
            [ChatStreamEvent.toolCallArgumentsDelta(index: 0, fragment: "{}")],
            [.toolCallStarted(index: 0, id: "a", name: "f"), .toolCallStarted(index: 0, id: "b", name: "g")],
            [.toolCallStarted(index: 0, id: "a", name: "f"), .toolCallEnded(index: 0), .toolCallArgumentsDelta(index: 0, fragment: "{}")],
            [.toolCallEnded(index: 3)],
        ])
    func contradictions(events: [ChatStreamEvent]) {
        var accumulator = ChatStreamAccumulator()
        #expect(throws: LLMError.self) {
            for event in events { try accumulator.apply(event) }
        }
    }

    @Test("a response replayed as events folds back to itself")
    func replay() throws {
        let original = ChatResponse(
            message: .assistant(
                "Here you go", toolCalls: [try ToolCall(id: "t1", name: "f", arguments: ["n": 1, "s": "é"])]),
            finishReason: .toolCalls,
            usage: Usage(inputTokens: 3, outputTokens: 4, cachedInputTokens: 1, reasoningTokens: 2),
            model: "m", id: "r", reasoning: "thinking…")
        #expect(try fold(original.streamEvents) == original)

        var routed = original
        routed.routing = RoutingDecision(
            deployment: "mini", tier: "simple", strategy: "lowestCost", reasons: ["heuristic"],
            fallbacks: [.init(deployment: "big", error: .server, message: "boom", latency: .milliseconds(3))],
            latency: .milliseconds(40), timeToFirstToken: .milliseconds(9), cost: Cost(picodollars: 123))
        #expect(routed.streamEvents.last == .routed(routed.routing!), "the routing record comes last")
        #expect(try fold(routed.streamEvents) == routed)
    }
}
