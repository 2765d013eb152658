import LLMCore
import Synchronization

/// The body of a response as it arrives, in chunks of bytes.
///
/// Ending the iteration early (a `break`, dropping the iterator or the stream, or cancelling the
/// consuming task) cancels the request, so the server sees the connection close. A transport may pause reading while the consumer is behind:
/// the stream tells it how many bytes are waiting through ``BufferLevel``.
public struct HTTPBodyStream: AsyncSequence, Sendable {
    /// A chunk of the body.
    public typealias Element = [UInt8]
    /// How a body fails.
    public typealias Failure = LLMError

    /// Bytes received but not yet consumed, shared by a transport and its stream, so the
    /// transport can stop reading from the network while the consumer is behind.
    public final class BufferLevel: Sendable {
        private let state = Mutex<(bytes: Int, paused: Bool)>((0, false))
        private let pause: @Sendable () -> Void
        private let resume: @Sendable () -> Void
        /// Above this many waiting bytes the transport pauses; below a quarter of it, it resumes.
        public let highWater: Int

        /// Creates a gauge that calls `pause` and `resume` on the transport.
        public init(highWater: Int = 4 << 20, pause: @escaping @Sendable () -> Void, resume: @escaping @Sendable () -> Void) {
            self.highWater = highWater
            self.pause = pause
            self.resume = resume
        }

        /// Called by the transport when bytes arrive.
        public func received(_ count: Int) {
            let shouldPause = state.withLock { state -> Bool in
                state.bytes += count
                guard state.bytes > highWater, !state.paused else { return false }
                state.paused = true
                return true
            }
            if shouldPause { pause() }
        }

        /// Called by the stream when the consumer takes bytes.
        func consumed(_ count: Int) {
            let shouldResume = state.withLock { state -> Bool in
                state.bytes -= count
                guard state.paused, state.bytes < highWater / 4 else { return false }
                state.paused = false
                return true
            }
            if shouldResume { resume() }
        }

        /// Whether the transport is paused.
        public var isPaused: Bool { state.withLock { $0.paused } }
    }

    /// Calls `abandon` when an iterator is dropped before the body ended: a `break` out of a
    /// `for try await` loop drops the iterator while the stream itself may still be referenced.
    final class AbandonGuard: Sendable {
        private let abandon: (@Sendable () -> Void)?
        private let ended = Mutex(false)

        init(_ abandon: (@Sendable () -> Void)?) { self.abandon = abandon }

        func markEnded() { ended.withLock { $0 = true } }

        deinit {
            if !ended.withLock({ $0 }) { abandon?() }
        }
    }

    private let chunks: AsyncThrowingStream<[UInt8], any Error>
    private let level: BufferLevel?
    private let abandon: (@Sendable () -> Void)?

    /// A body a transport feeds through `chunks`. `level`, if given, is told whenever the consumer
    /// takes a chunk; `abandon` is called if an iterator is dropped before the end (the transport
    /// cancels the request then).
    public init(
        _ chunks: AsyncThrowingStream<[UInt8], any Error>, level: BufferLevel? = nil,
        abandon: (@Sendable () -> Void)? = nil
    ) {
        self.chunks = chunks
        self.level = level
        self.abandon = abandon
    }

    /// A body that is already complete.
    public init(bytes: [UInt8]) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        if !bytes.isEmpty { continuation.yield(bytes) }
        continuation.finish()
        self.init(stream)
    }

    /// The whole body, or its first `limit` bytes or so (reading stops once that many arrived;
    /// an error body needs no more than a message's worth).
    ///
    /// - Throws: ``LLMCore/LLMError`` when the body fails part-way.
    public func collect(upTo limit: Int = .max) async throws(LLMError) -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            bytes += chunk
            if bytes.count >= limit { break }
        }
        return bytes
    }

    /// Iterates the chunks.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), level: level, guardian: AbandonGuard(abandon))
    }

    /// Iterates the chunks of a body.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let level: BufferLevel?
        let guardian: AbandonGuard

        /// The next chunk, or `nil` at the end of the body.
        public mutating func next() async throws(LLMError) -> [UInt8]? {
            let chunk: [UInt8]?
            do { chunk = try await base.next() } catch { throw failed(error) }
            return try deliver(chunk)
        }

        /// The next chunk, or `nil` at the end of the body.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(LLMError) -> [UInt8]? {
            let chunk: [UInt8]?
            do { chunk = try await base.next(isolation: actor) } catch { throw failed(error) }
            return try deliver(chunk)
        }

        private func failed(_ error: any Error) -> LLMError {
            guardian.markEnded()
            return LLMError(error)
        }

        private func deliver(_ chunk: [UInt8]?) throws(LLMError) -> [UInt8]? {
            guard let chunk else {
                guardian.markEnded()
                // A cancelled consumer sees the end of the stream; say so rather than pass off a
                // cut body as complete.
                if Task.isCancelled { throw .cancelled("the body's consumer was cancelled") }
                return nil
            }
            level?.consumed(chunk.count)
            return chunk
        }
    }
}
