import LLMCore
import Synchronization

/// Bounds how long a call may take, and how long a stream may go quiet.
///
/// When the limit passes, the call's task is cancelled (a provider client then closes its
/// connection) and the caller gets ``LLMError/Kind/timeout``. A cancelled caller gets
/// ``LLMError/Kind/cancelled`` instead, so the two stay distinguishable.
public struct Timeout: Sendable {
    /// The most a whole call may take: a one-shot answer, or a stream from start to end.
    public let limit: Duration
    /// For streams, the most time allowed before the first event and between two events; `nil` for no gap limit.
    public let streamIdle: Duration?
    private let clock: InjectedClock

    /// Creates a timeout.
    ///
    /// - Parameters:
    ///   - limit: The bound on a whole call (positive).
    ///   - streamIdle: The bound on a stream's silences, first token included (positive), or `nil`.
    ///   - clock: Where the limits are measured; inject a `ManualClock` in tests.
    /// - Throws: ``LLMError/Kind/badRequest`` for a limit that is not positive.
    public init(limit: Duration, streamIdle: Duration? = nil, clock: some Clock<Duration> = ContinuousClock()) throws(LLMError) {
        guard limit > .zero, (streamIdle ?? .seconds(1)) > .zero else {
            throw LLMError(kind: .badRequest, message: "Timeout: limits must be positive, got \(limit) and \(String(describing: streamIdle))")
        }
        self.limit = limit
        self.streamIdle = streamIdle
        self.clock = InjectedClock(clock)
    }

    /// Runs `operation`, cancelling it and throwing ``LLMError/Kind/timeout`` if it outlasts ``limit``.
    ///
    /// The operation must honour cancellation for the timeout to return promptly (all our clients do).
    public func run<T: Sendable>(_ operation: @escaping @Sendable () async throws(LLMError) -> T) async throws(LLMError) -> T {
        let limit = limit
        let clock = clock
        let outcome = await withTaskGroup(of: Result<T, LLMError>?.self) { group in
            group.addTask {
                do throws(LLMError) {
                    return .success(try await operation())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do throws(LLMError) {
                    try await clock.sleep(for: limit)
                    return .failure(LLMError(kind: .timeout, message: "no answer within the \(limit) time limit"))
                } catch {
                    return nil
                }
            }
            var outcome: Result<T, LLMError> = .failure(.cancelled())
            for await result in group {
                if let result {
                    outcome = result
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
        return try outcome.get()
    }

    /// Forwards `stream`'s events, failing with ``LLMError/Kind/timeout`` when the stream as a whole
    /// outlasts ``limit`` or goes quiet for longer than ``streamIdle``.
    public func guarding(_ open: @escaping @Sendable () -> ChatStream) -> ChatStream {
        let limit = limit
        let idle = streamIdle
        let clock = clock
        return ChatStream { continuation throws(LLMError) in
            let started = clock.now
            let lastEvent = LastEvent(started)
            let failure = await withTaskGroup(of: LLMError??.self) { group in
                group.addTask {
                    do throws(LLMError) {
                        for try await event in open() {
                            lastEvent.time = clock.now
                            guard continuation.yield(event) else { return .some(nil) }
                        }
                        return .some(nil)
                    } catch {
                        return .some(error)
                    }
                }
                group.addTask {
                    while true {
                        let quietSince = lastEvent.time
                        let idleDeadline = idle.map { quietSince + $0 } ?? started + limit
                        let deadline = min(started + limit, idleDeadline)
                        do throws(LLMError) {
                            try await clock.sleep(until: deadline)
                        } catch {
                            return nil
                        }
                        let now = clock.now
                        if now >= started + limit {
                            return .some(LLMError(kind: .timeout, message: "the stream did not finish within the \(limit) time limit"))
                        }
                        if let idle, now >= lastEvent.time + idle {
                            return .some(LLMError(kind: .timeout, message: "the stream sent nothing for \(idle)"))
                        }
                    }
                }
                var failure: LLMError? = .cancelled()
                for await result in group {
                    if let result {
                        failure = result
                        break
                    }
                }
                group.cancelAll()
                return failure
            }
            if let failure { throw failure }
        }
    }
}

/// When a guarded stream last sent an event, shared by its forwarding and watchdog tasks.
private final class LastEvent: Sendable {
    private let value: Mutex<Duration>

    init(_ time: Duration) { value = Mutex(time) }

    var time: Duration {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
