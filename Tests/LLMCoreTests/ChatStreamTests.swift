import Synchronization
import Testing

@testable import LLMCore

@Suite("ChatStream")
struct ChatStreamTests {
    /// A producer that records whether it saw cancellation, and that a test can wait for.
    final class Probe: Sendable {
        let cancelled = Mutex(false)
        let finished = AsyncStream<Void>.makeStream()
    }

    private func endlessStream(_ probe: Probe) -> ChatStream {
        ChatStream { continuation throws(LLMError) in
            defer { probe.finished.continuation.yield() }
            var count = 0
            while !Task.isCancelled {
                continuation.yield(.textDelta("\(count)"))
                count += 1
                await Task.yield()
            }
            probe.cancelled.withLock { $0 = true }
        }
    }

    @Test("breaking out of the loop cancels the producer")
    func breakCancelsProducer() async throws {
        let probe = Probe()
        var received = 0
        for try await _ in endlessStream(probe) {
            received += 1
            if received == 5 { break }
        }
        var iterator = probe.finished.stream.makeAsyncIterator()
        _ = await iterator.next()
        #expect(probe.cancelled.withLock { $0 })
    }

    @Test("cancelling the consumer's task cancels the producer and surfaces .cancelled")
    func consumerCancellation() async throws {
        let probe = Probe()
        let stream = endlessStream(probe)
        let consumer = Task { () throws(LLMError) -> Int in
            var count = 0
            for try await _ in stream {
                count += 1
                if count == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return count
        }
        let result = await consumer.result
        #expect(throws: LLMError.cancelled("the stream's consumer was cancelled")) { try result.get() }
        var iterator = probe.finished.stream.makeAsyncIterator()
        _ = await iterator.next()
        #expect(probe.cancelled.withLock { $0 })
    }

    @Test("a producer's error reaches the consumer after the events before it")
    func failurePropagates() async {
        let failure = LLMError(kind: .overloaded, message: "busy")
        let stream = ChatStream(events: [.textDelta("a"), .textDelta("b")], thenFailWith: failure)
        var texts: [String] = []
        do {
            for try await event in stream {
                if case .textDelta(let text) = event { texts.append(text) }
            }
            Issue.record("expected the stream to fail")
        } catch {
            #expect(error == failure)
        }
        #expect(texts == ["a", "b"])
    }

    @Test("response() folds the stream")
    func collect() async throws {
        let response = try await ChatStream(events: [.textDelta("hi"), .finished(.stop)]).response(defaultModel: "m")
        #expect(response.text == "hi")
        #expect(response.model == "m")
    }
}
