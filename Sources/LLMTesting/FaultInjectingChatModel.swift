import LLMCore
import Synchronization

/// Wraps a ``ChatModel`` and disturbs its calls as a ``FaultPlan`` says: 429s
/// with Retry-After, 503s, 500s, timeouts, latency and streams cut mid-way.
///
/// Waits happen on the injected clock, so with a ``ManualClock`` a test
/// controls them exactly. Calls are numbered from 0 in the order they arrive;
/// for a given plan (and seed) call *n* always meets the same fault.
///
/// ```swift
/// let flaky = FaultInjectingChatModel(
///     wrapping: model,
///     plan: .random(seed: 42, faults: [(.rateLimited(retryAfter: .seconds(2)), 0.1), (.overloaded, 0.05)]),
///     clock: ManualClock())
/// ```
public final class FaultInjectingChatModel<Base: ChatModel>: ChatModel, Sendable {
    /// A fault that was injected, and into which call.
    public struct Injection: Sendable, Hashable {
        /// The call's number, from 0.
        public var call: Int
        /// The fault.
        public var fault: Fault

        /// Creates a record of a fault injected into a call.
        public init(call: Int, fault: Fault) {
            self.call = call
            self.fault = fault
        }
    }

    private struct State {
        var calls = 0
        var injections: [Injection] = []
    }

    /// The wrapped model.
    public let base: Base
    private let plan: FaultPlan
    private let clock: any Clock<Duration>
    private let state = Mutex(State())

    /// Wraps `base`, disturbing calls as `plan` says and waiting on `clock`.
    public init(wrapping base: Base, plan: FaultPlan, clock: some Clock<Duration> = ContinuousClock()) {
        self.base = base
        self.plan = plan
        self.clock = clock
    }

    /// How many calls have been made.
    public var callCount: Int { state.withLock { $0.calls } }

    /// The faults injected so far, in call order.
    public var injections: [Injection] { state.withLock { $0.injections.sorted { $0.call < $1.call } } }

    /// Answers through the base model, unless the plan injects a fault into this call.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        if let fault = nextFault() { try await apply(fault) }
        return try await base.respond(to: request)
    }

    /// Streams from the base model, unless the plan injects a fault into this call.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let fault = nextFault()
        return ChatStream { continuation throws(LLMError) in
            var cutAfter: Int?
            if case .streamCut(let count)? = fault {
                cutAfter = count
            } else if let fault {
                try await self.apply(fault)
            }
            var forwarded = 0
            for try await event in self.base.stream(request) {
                if let cutAfter, forwarded == cutAfter { throw Fault.streamCut(afterEvents: cutAfter).error! }
                guard continuation.yield(event) else { return }
                forwarded += 1
            }
        }
    }

    private func nextFault() -> Fault? {
        state.withLock { state in
            let call = state.calls
            state.calls += 1
            guard let fault = plan.fault(forCall: call) else { return nil }
            state.injections.append(Injection(call: call, fault: fault))
            return fault
        }
    }

    /// Waits as the fault says, then throws its error (or returns, for pure latency).
    private func apply(_ fault: Fault) async throws(LLMError) {
        switch fault {
        case .latency(let delay), .timeout(let delay):
            do {
                try await clock.sleep(for: delay)
            } catch {
                throw .cancelled()
            }
        default:
            break
        }
        if let error = fault.error { throw error }
    }
}
