import LLMCore
import Synchronization

/// Caps how many calls run at once, with a bounded, fair queue for the ones that must wait.
///
/// A call runs at once while fewer than `maxConcurrentCalls` are running; otherwise it waits in
/// line (first come, first served) if fewer than `maxQueuedCalls` are waiting, and is rejected with
/// ``LLMError/Kind/bulkheadFull`` if not. One slow provider then cannot take every task and
/// connection of the process with it. A waiting call that is cancelled leaves the line.
///
/// Defaults follow resilience4j's semaphore bulkhead in spirit (25 concurrent calls) with a queue
/// as long again, since LLM calls are long and a short burst should wait rather than fail.
public final class Bulkhead: Sendable {
    private struct Waiter {
        let id: UInt64
        var continuation: CheckedContinuation<Void, any Error>?
        var admitted = false
    }

    private struct State {
        var running = 0
        var queue: [Waiter] = []
        var nextID: UInt64 = 0
        var rejected = 0
    }

    /// The most calls running at once.
    public let maxConcurrentCalls: Int
    /// The most calls waiting for a slot; beyond it calls are rejected.
    public let maxQueuedCalls: Int
    /// Names the bulkhead in errors.
    public let name: String
    private let state = Mutex(State())

    /// Creates a bulkhead.
    ///
    /// - Throws: ``LLMError/Kind/badRequest`` if `maxConcurrentCalls` < 1 or `maxQueuedCalls` < 0.
    public init(name: String = "bulkhead", maxConcurrentCalls: Int = 25, maxQueuedCalls: Int = 25) throws(LLMError) {
        guard maxConcurrentCalls >= 1, maxQueuedCalls >= 0 else {
            throw LLMError(
                kind: .badRequest,
                message: "Bulkhead: need maxConcurrentCalls ≥ 1 and maxQueuedCalls ≥ 0, got \(maxConcurrentCalls) and \(maxQueuedCalls)")
        }
        self.name = name
        self.maxConcurrentCalls = maxConcurrentCalls
        self.maxQueuedCalls = maxQueuedCalls
    }

    /// Calls running now.
    public var runningCalls: Int { state.withLock { $0.running } }
    /// Calls waiting now.
    public var queuedCalls: Int { state.withLock { $0.queue.count } }
    /// Calls rejected since the bulkhead was made.
    public var rejectedCalls: Int { state.withLock { $0.rejected } }

    /// Runs `operation` in a slot, waiting in line for one if need be.
    ///
    /// - Throws: ``LLMError/Kind/bulkheadFull`` when every slot and queue place is taken,
    ///   ``LLMError/Kind/cancelled`` if cancelled while waiting, or what `operation` throws.
    @inlinable
    public func run<T>(_ operation: () async throws(LLMError) -> T) async throws(LLMError) -> T {
        try await enter()
        defer { leave() }
        return try await operation()
    }

    /// Takes a slot, waiting for one if need be; pair it with ``leave()``.
    @usableFromInline
    func enter() async throws(LLMError) {
        enum Start { case run, wait(UInt64), reject }
        let start = state.withLock { state -> Start in
            if state.running < maxConcurrentCalls, state.queue.isEmpty {
                state.running += 1
                return .run
            }
            guard state.queue.count < maxQueuedCalls else {
                state.rejected += 1
                return .reject
            }
            state.nextID += 1
            state.queue.append(Waiter(id: state.nextID))
            return .wait(state.nextID)
        }
        switch start {
        case .run:
            return
        case .reject:
            throw LLMError(
                kind: .bulkheadFull,
                message: "bulkhead '\(name)' is full: \(maxConcurrentCalls) calls running and \(maxQueuedCalls) waiting")
        case .wait(let id):
            try await waitForSlot(id: id)
        }
    }

    /// Gives a slot back, handing it to the first waiter if there is one.
    @usableFromInline
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard let index = state.queue.firstIndex(where: { !$0.admitted }) else {
                state.running -= 1
                return nil
            }
            // The slot passes straight to the first waiter: `running` stays the same.
            guard let continuation = state.queue[index].continuation else {
                // It has not suspended yet; it finds the note when it does.
                state.queue[index].admitted = true
                return nil
            }
            state.queue.remove(at: index)
            return continuation
        }
        next?.resume()
    }

    private func waitForSlot(id: UInt64) async throws(LLMError) {
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let admitted: Bool? = state.withLock { state in
                        guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                        if state.queue[index].admitted {
                            state.queue.remove(at: index)
                            return true
                        }
                        state.queue[index].continuation = continuation
                        return false
                    }
                    switch admitted {
                    case nil: continuation.resume(throwing: CancellationError())
                    case true?: continuation.resume()
                    case false?: break
                    }
                }
            } onCancel: {
                let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                    guard let index = state.queue.firstIndex(where: { $0.id == id }), !state.queue[index].admitted else {
                        return nil
                    }
                    return state.queue.remove(at: index).continuation
                }
                continuation?.resume(throwing: CancellationError())
            }
        } catch {
            throw .cancelled("cancelled while waiting for a bulkhead slot")
        }
    }
}
