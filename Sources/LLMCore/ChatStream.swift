/// A streamed answer: an `AsyncSequence` of ``ChatStreamEvent`` that fails only with ``LLMError``.
///
/// The work that produces the events starts when the stream is created and runs
/// in its own task. Cancelling the consuming task, breaking out of the loop, or
/// dropping the stream cancels that work (a provider closes its connection).
/// A consumer whose task is cancelled gets ``LLMError/Kind/cancelled`` rather
/// than a silent end, so a cut-short answer is never mistaken for a whole one.
///
/// ```swift
/// for try await event in model.stream(request) {
///     if case .textDelta(let text) = event { print(text, terminator: "") }
/// }
/// ```
public struct ChatStream: AsyncSequence, Sendable {
    /// The events.
    public typealias Element = ChatStreamEvent
    /// The only error a stream throws.
    public typealias Failure = LLMError

    /// The producer's handle for sending events.
    public struct Continuation: Sendable {
        fileprivate let base: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation

        /// Sends an event. Returns `false` once the consumer has gone away, so a producer can stop early.
        @discardableResult
        public func yield(_ event: ChatStreamEvent) -> Bool {
            switch base.yield(event) {
            case .terminated: false
            default: true
            }
        }
    }

    private let base: AsyncThrowingStream<ChatStreamEvent, any Error>

    /// Creates a stream whose events come from `produce`, run in a new task.
    ///
    /// The stream ends when `produce` returns, and fails with the error it throws.
    /// The task is cancelled when the consumer stops listening.
    public init(_ produce: @escaping @Sendable (Continuation) async throws(LLMError) -> Void) {
        let (stream, continuation) = AsyncThrowingStream<ChatStreamEvent, any Error>.makeStream()
        let task = Task {
            do throws(LLMError) {
                try await produce(Continuation(base: continuation))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        base = stream
    }

    /// A stream that replays `events` and then ends, or fails with `failure` if one is given.
    public init(events: [ChatStreamEvent], thenFailWith failure: LLMError? = nil) {
        self.init { continuation throws(LLMError) in
            for event in events {
                guard continuation.yield(event) else { return }
            }
            if let failure { throw failure }
        }
    }

    /// A stream that fails at once.
    public init(failure: LLMError) {
        self.init(events: [], thenFailWith: failure)
    }

    /// Reads the whole stream and folds it into the response a one-shot call would return.
    ///
    /// - Parameter model: The model name to report if the stream never says which model answered.
    /// - Throws: ``LLMError`` from the stream, or from ``ChatStreamAccumulator/response()``.
    public func response(defaultModel model: String = "") async throws(LLMError) -> ChatResponse {
        var accumulator = ChatStreamAccumulator(defaultModel: model)
        for try await event in self { try accumulator.apply(event) }
        return try accumulator.response()
    }

    /// Creates an iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }

    /// Reads events one at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var base: AsyncThrowingStream<ChatStreamEvent, any Error>.AsyncIterator

        /// The next event, or `nil` at the end of the answer.
        public mutating func next() async throws(LLMError) -> ChatStreamEvent? {
            do {
                if let event = try await base.next() { return event }
            } catch {
                throw LLMError(error)
            }
            return try endOfStream()
        }

        /// The next event, or `nil` at the end of the answer, staying on `actor`.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(LLMError) -> ChatStreamEvent? {
            do {
                if let event = try await base.next(isolation: actor) { return event }
            } catch {
                throw LLMError(error)
            }
            return try endOfStream()
        }

        private func endOfStream() throws(LLMError) -> ChatStreamEvent? {
            if Task.isCancelled { throw .cancelled("the stream's consumer was cancelled") }
            return nil
        }
    }
}
