import LLMCore
import LLMTesting
import Testing

@Suite("FaultInjectingChatModel")
struct FaultInjectingChatModelTests {
    private let request = ChatRequest(messages: [.user("hello")])

    private func outcomes(seed: UInt64, calls: Int) async -> [String] {
        let base = ScriptedChatModel([.text("ok")], whenExhausted: .repeatLast)
        let model = FaultInjectingChatModel(
            wrapping: base,
            plan: .random(seed: seed, faults: [
                (.rateLimited(retryAfter: .seconds(2)), 0.10), (.overloaded, 0.05), (.serverError, 0.05),
                (.streamCut(afterEvents: 1), 0.05),
            ]))
        var results: [String] = []
        for _ in 0..<calls {
            do {
                results.append(try await model.respond(to: request).text)
            } catch {
                results.append("\(error.kind)")
            }
        }
        return results
    }

    @Test("the same seed gives the same faults; another seed gives others")
    func determinism() async {
        let first = await outcomes(seed: 42, calls: 400)
        let second = await outcomes(seed: 42, calls: 400)
        let other = await outcomes(seed: 43, calls: 400)
        #expect(first == second)
        #expect(first != other)
        let faults = first.filter { $0 != "ok" }.count
        #expect((40...120).contains(faults), "about a quarter of 400 calls should fail, got \(faults)")
        #expect(first.contains("rateLimited") && first.contains("overloaded") && first.contains("server"))
    }

    @Test("the plan decides by call number, whatever the order of concurrent calls")
    func concurrentDeterminism() {
        let plan = FaultPlan.random(seed: 9, faults: [(.overloaded, 0.3)])
        let sequential = (0..<1_000).map { plan.fault(forCall: $0) }
        let shuffled = (0..<1_000).reversed().map { plan.fault(forCall: $0) }.reversed()
        #expect(Array(shuffled) == sequential)
    }

    @Test("a 429 carries Retry-After as a duration and a header")
    func rateLimit() async throws {
        let model = FaultInjectingChatModel(
            wrapping: ScriptedChatModel([.text("ok")]), plan: .sequence([.rateLimited(retryAfter: .milliseconds(1500))]))
        do {
            _ = try await model.respond(to: request)
            Issue.record("expected a rate limit")
        } catch {
            #expect(error.kind == .rateLimited)
            #expect(error.httpStatus == 429)
            #expect(error.retryAfter == .milliseconds(1500))
            #expect(error.headers["retry-after"] == "2")
            #expect(error.isRetryable)
        }
        #expect(model.injections == [.init(call: 0, fault: .rateLimited(retryAfter: .milliseconds(1500)))])
        #expect(try await model.respond(to: request).text == "ok")
    }

    @Test("latency and timeouts wait on the injected clock")
    func latency() async throws {
        let clock = ManualClock()
        let model = FaultInjectingChatModel(
            wrapping: ScriptedChatModel([.text("slow")]), plan: .sequence([.latency(.seconds(3)), .timeout(after: .seconds(30))]),
            clock: clock)
        let slow = Task { try await model.respond(to: request) }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(2))
        #expect(clock.sleeperCount == 1)
        await clock.advance(by: .seconds(1))
        #expect(try await slow.value.text == "slow")

        let timingOut = Task { () throws(LLMError) in try await model.respond(to: request) }
        await clock.waitForSleepers(count: 1)
        await clock.advance(by: .seconds(30))
        await #expect(throws: LLMError.self) { try await timingOut.value }
        #expect(clock.now.offset == .seconds(33))
    }

    @Test("a stream is cut after N events with a transport error")
    func streamCut() async {
        let events: [ChatStreamEvent] = [.textDelta("a"), .textDelta("b"), .textDelta("c"), .finished(.stop)]
        let model = FaultInjectingChatModel(
            wrapping: ScriptedChatModel([.events(events, thenFail: nil)]), plan: .sequence([.streamCut(afterEvents: 2)]))
        var received: [ChatStreamEvent] = []
        do {
            for try await event in model.stream(request) { received.append(event) }
            Issue.record("expected the stream to be cut")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.isRetryable)
        }
        #expect(received == Array(events.prefix(2)))
    }

    @Test("calls the plan leaves alone pass through untouched")
    func passThrough() async throws {
        let base = ScriptedChatModel([.text("one"), .text("two")])
        let model = FaultInjectingChatModel(wrapping: base, plan: .none)
        #expect(try await model.respond(to: request).text == "one")
        #expect(try await model.stream(request).response().text == "two")
        #expect(model.callCount == 2)
        #expect(model.injections.isEmpty)
        #expect(base.requests.count == 2)
    }
}
