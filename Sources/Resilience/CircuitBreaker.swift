import LLMCore
import Synchronization

/// Stops calling a provider that is failing, and probes it now and then to learn when it has recovered.
///
/// Closed, the breaker lets calls through and records their outcomes in a sliding window. Once the
/// window holds at least ``CircuitBreakerConfiguration/minimumCalls`` calls and the failure rate
/// or the slow-call rate reaches its threshold, it **opens**: calls fail at once with
/// ``LLMError/Kind/circuitOpen`` (its ``LLMError/retryAfter`` says when probing starts). After the
/// open duration the next call finds it **half-open**: it admits
/// ``CircuitBreakerConfiguration/halfOpenProbes`` calls, and their outcomes decide whether it
/// closes (rates under the thresholds) or opens again (for longer, with an exponential open
/// duration). ``forceOpen()`` and ``disable()`` override it; ``reset()`` closes it.
///
/// Every call holds a ``Permit``. A permit belongs to the state it was issued in: when the state has
/// changed since, its outcome is ignored, so a slow success that started before the breaker opened
/// cannot close it. A permit that is dropped without an outcome (the call threw something
/// unexpected, was cancelled, or its stream was abandoned) gives its half-open slot back, so probes
/// never leak.
///
/// ```swift
/// let breaker = try CircuitBreaker(name: "openai", configuration: .init(
///     slidingWindow: .time(.seconds(30), buckets: 30), minimumCalls: 10))
/// let answer = try await breaker.run { () async throws(LLMError) in try await client.respond(to: request) }
/// // or, stacked: client.circuitBreaking(breaker)
/// ```
public final class CircuitBreaker: Sendable {
    /// Where a breaker is in its cycle.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Calls go through and are recorded.
        case closed
        /// Calls are rejected until the open duration has passed.
        case open
        /// A few probe calls go through; their outcomes decide what comes next.
        case halfOpen
        /// Opened by hand with ``CircuitBreaker/forceOpen()``: every call is rejected until ``CircuitBreaker/reset()``.
        case forcedOpen
        /// Switched off with ``CircuitBreaker/disable()``: every call goes through, nothing is recorded.
        case disabled
    }

    /// A move from one state to another.
    public struct StateChange: Sendable, Hashable {
        /// The breaker's name.
        public var breaker: String
        /// The state left.
        public var from: State
        /// The state entered.
        public var to: State
    }

    /// A snapshot of what the breaker has seen.
    public struct Metrics: Sendable, Hashable {
        /// The state now.
        public var state: State
        /// Calls recorded in the current window (closed) or among the probes (half-open).
        public var recordedCalls: Int
        /// How many of them failed.
        public var failedCalls: Int
        /// How many of them were slow.
        public var slowCalls: Int
        /// Failed calls over recorded calls, or `nil` before any call is recorded.
        public var failureRate: Double?
        /// Slow calls over recorded calls, or `nil` before any call is recorded.
        public var slowCallRate: Double?
        /// Calls rejected without trying since the breaker was made.
        public var rejectedCalls: Int
        /// Calls admitted since the breaker was made.
        public var admittedCalls: Int
    }

    /// The right to make one call, and the duty to report how it went.
    ///
    /// Report with ``succeeded()``, ``failed(_:)`` or ``release()``; a permit dropped without a
    /// report is released (counted as neither success nor failure) when it goes out of scope.
    public struct Permit: ~Copyable, Sendable {
        private let breaker: CircuitBreaker
        private let generation: UInt64
        private let started: Int64
        private var settled = false

        fileprivate init(breaker: CircuitBreaker, generation: UInt64, started: Int64) {
            self.breaker = breaker
            self.generation = generation
            self.started = started
        }

        /// Reports that the call succeeded; it took from the permit's issue until now.
        public consuming func succeeded() {
            settle(.success, duration: nil)
        }

        /// Reports that the call failed with `error`; the configuration's classifier decides whether
        /// it counts as a failure, a success or nothing.
        public consuming func failed(_ error: LLMError) {
            settle(breaker.configuration.classify(error), duration: nil)
        }

        /// Gives the permit back without an outcome (the call was abandoned).
        public consuming func release() {
            settle(.ignored, duration: nil)
        }

        /// Reports a verdict, with the call's duration in nanoseconds if it is not "from issue until
        /// now" (a stream reports its time to first content).
        consuming func settle(_ verdict: CircuitBreakerConfiguration.Verdict, duration: Int64?) {
            settled = true
            breaker.settle(generation: generation, verdict: verdict, started: started, duration: duration)
        }

        deinit {
            if !settled { breaker.settle(generation: generation, verdict: .ignored, started: started, duration: nil) }
        }
    }

    private struct Core: Sendable {
        var state = State.closed
        /// Bumped on every state change; a permit from an older generation reports into the void.
        var generation: UInt64 = 1
        var window: OutcomeWindow
        var probes = OutcomeCounts()
        var probesAdmitted = 0
        var consecutiveOpenings = 0
        /// Nanoseconds on the breaker's clock.
        var openUntil: Int64 = 0
        var halfOpenSince: Int64 = 0
        var rejectedCalls = 0
        var admittedCalls = 0
    }

    /// The breaker's name, used in errors and events.
    public let name: String
    /// What the breaker was configured with.
    public let configuration: CircuitBreakerConfiguration
    private let clock: InjectedClock
    private let core: Mutex<Core>
    /// The configuration's durations in nanoseconds, read on every call.
    private let slowCallNanoseconds: Int64
    private let maximumHalfOpenNanoseconds: Int64?
    private let minimumClosedCalls: Int
    private let onStateChange: (@Sendable (StateChange) -> Void)?
    private let subscribers = Mutex<[UInt64: AsyncStream<StateChange>.Continuation]>([:])
    private let nextSubscriber = Atomic<UInt64>(0)

    /// Creates a closed breaker.
    ///
    /// - Parameters:
    ///   - name: Names the breaker in errors and events, e.g. the provider it guards.
    ///   - configuration: Thresholds, window and durations; resilience4j's defaults unless given.
    ///   - clock: The time source; inject a `ManualClock` in tests.
    ///   - onStateChange: Called on every state change, after the change, outside any lock.
    /// - Throws: ``LLMError/Kind/badRequest`` naming the invalid configuration value.
    public init(
        name: String = "circuit breaker",
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        clock: some Clock<Duration> = ContinuousClock(),
        onStateChange: (@Sendable (StateChange) -> Void)? = nil
    ) throws(LLMError) {
        try configuration.validate()
        self.name = name
        self.configuration = configuration
        self.clock = InjectedClock(clock)
        self.onStateChange = onStateChange
        slowCallNanoseconds = configuration.slowCallDuration.nanoseconds
        maximumHalfOpenNanoseconds = configuration.maximumHalfOpenDuration?.nanoseconds
        if case .count(let size) = configuration.slidingWindow {
            minimumClosedCalls = min(configuration.minimumCalls, size)
        } else {
            minimumClosedCalls = configuration.minimumCalls
        }
        core = Mutex(Core(window: OutcomeWindow(configuration.slidingWindow)))
    }

    /// Nanoseconds on the breaker's clock, for measuring calls it does not time itself.
    var nanoseconds: Int64 { clock.nanoseconds }

    /// The state now. An open breaker whose open duration has passed reads as half-open.
    public var state: State {
        let (state, changes) = core.withLock { core in
            var changes: [StateChange] = []
            refresh(&core, now: clock.nanoseconds, changes: &changes)
            return (core.state, changes)
        }
        announce(changes)
        return state
    }

    /// A snapshot of the breaker's counts and rates.
    public var metrics: Metrics {
        core.withLock { core in
            let counts = core.state == .halfOpen ? core.probes : core.window.counts(at: clock.nanoseconds)
            let calls = Double(counts.calls)
            return Metrics(
                state: core.state, recordedCalls: counts.calls, failedCalls: counts.failures, slowCalls: counts.slow,
                failureRate: counts.calls == 0 ? nil : Double(counts.failures) / calls,
                slowCallRate: counts.calls == 0 ? nil : Double(counts.slow) / calls,
                rejectedCalls: core.rejectedCalls, admittedCalls: core.admittedCalls)
        }
    }

    /// State changes from now on, as they happen (the newest 100 are kept for a slow reader).
    public func stateChanges() -> AsyncStream<StateChange> {
        let id = nextSubscriber.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<StateChange>.makeStream(bufferingPolicy: .bufferingNewest(100))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Asks to make a call.
    ///
    /// - Returns: A permit to report the call's outcome on.
    /// - Throws: ``LLMError/Kind/circuitOpen`` when the breaker is open, forced open, or half-open
    ///   with all its probe slots taken.
    public func acquirePermit() throws(LLMError) -> Permit {
        let now = clock.nanoseconds
        let (decision, changes) = core.withLock { core in
            var changes: [StateChange] = []
            let decision = admit(&core, now: now, changes: &changes)
            return (decision, changes)
        }
        announce(changes)
        guard case .admitted(let generation) = decision else { throw rejection(decision) }
        return Permit(breaker: self, generation: generation, started: now)
    }

    /// Runs `operation` if the breaker admits it, and records its outcome.
    ///
    /// - Throws: ``LLMError/Kind/circuitOpen`` without running `operation`, or what `operation` throws.
    @inlinable
    public func run<T>(_ operation: () async throws(LLMError) -> T) async throws(LLMError) -> T {
        let permit = try acquirePermit()
        let value: T
        do {
            value = try await operation()
        } catch {
            permit.failed(error)
            throw error
        }
        permit.succeeded()
        return value
    }

    /// Opens the breaker until ``reset()``, whatever the calls do.
    public func forceOpen() { move(to: .forcedOpen) }

    /// Lets every call through without recording anything, until ``reset()``.
    public func disable() { move(to: .disabled) }

    /// Closes the breaker and forgets everything recorded (the consecutive-opening count too).
    public func reset() { move(to: .closed) }

    // MARK: - State machine (all under the lock)

    private enum Admission {
        case admitted(generation: UInt64)
        case rejectedOpen(remaining: Int64)
        case rejectedHalfOpen
        case rejectedForcedOpen
    }

    private func admit(_ core: inout Core, now: Int64, changes: inout [StateChange]) -> Admission {
        refresh(&core, now: now, changes: &changes)
        switch core.state {
        case .closed, .disabled:
            core.admittedCalls += 1
            return .admitted(generation: core.state == .disabled ? 0 : core.generation)
        case .halfOpen where core.probesAdmitted < configuration.halfOpenProbes:
            core.probesAdmitted += 1
            core.admittedCalls += 1
            return .admitted(generation: core.generation)
        case .halfOpen:
            core.rejectedCalls += 1
            return .rejectedHalfOpen
        case .open:
            core.rejectedCalls += 1
            return .rejectedOpen(remaining: core.openUntil - now)
        case .forcedOpen:
            core.rejectedCalls += 1
            return .rejectedForcedOpen
        }
    }

    private func rejection(_ admission: Admission) -> LLMError {
        switch admission {
        case .admitted:
            preconditionFailure("an admitted call is not rejected")
        case .rejectedOpen(let nanoseconds):
            let remaining = Duration.nanoseconds(nanoseconds)
            return LLMError(
                kind: .circuitOpen,
                message: "circuit breaker '\(name)' is open because recent calls failed or were slow; "
                    + "calls are rejected for another \(remaining)",
                retryAfter: remaining)
        case .rejectedHalfOpen:
            return LLMError(
                kind: .circuitOpen,
                message: "circuit breaker '\(name)' is half-open and all \(configuration.halfOpenProbes) probe calls are in flight; "
                    + "retry when they have finished")
        case .rejectedForcedOpen:
            return LLMError(kind: .circuitOpen, message: "circuit breaker '\(name)' was forced open; call reset() to close it")
        }
    }

    /// Applies the transitions time alone causes: open → half-open when the wait is over, and
    /// half-open → open when probing has taken longer than allowed.
    private func refresh(_ core: inout Core, now: Int64, changes: inout [StateChange]) {
        if core.state == .open, now >= core.openUntil {
            transition(&core, to: .halfOpen, now: now, changes: &changes)
        }
        if core.state == .halfOpen, let limit = maximumHalfOpenNanoseconds, now - core.halfOpenSince >= limit {
            transition(&core, to: .open, now: now, changes: &changes)
        }
    }

    fileprivate func settle(
        generation: UInt64, verdict: CircuitBreakerConfiguration.Verdict, started: Int64, duration: Int64?
    ) {
        let now = clock.nanoseconds
        let changes = core.withLock { core -> [StateChange] in
            guard generation == core.generation else { return [] }
            var changes: [StateChange] = []
            let slow = (duration ?? (now - started)) >= slowCallNanoseconds
            switch core.state {
            case .closed:
                guard verdict != .ignored else { return [] }
                core.window.record(failure: verdict == .failure, slow: slow, at: now)
                if exceedsThresholds(core.window.counts(at: now), minimum: minimumClosedCalls) {
                    transition(&core, to: .open, now: now, changes: &changes)
                }
            case .halfOpen:
                guard verdict != .ignored else {
                    core.probesAdmitted -= 1
                    return []
                }
                core.probes += OutcomeCounts(calls: 1, failures: verdict == .failure ? 1 : 0, slow: slow ? 1 : 0)
                if core.probes.calls >= configuration.halfOpenProbes {
                    let reopen = exceedsThresholds(core.probes, minimum: configuration.halfOpenProbes)
                    transition(&core, to: reopen ? .open : .closed, now: now, changes: &changes)
                }
            case .open, .forcedOpen, .disabled:
                break
            }
            return changes
        }
        announce(changes)
    }

    private func exceedsThresholds(_ counts: OutcomeCounts, minimum: Int) -> Bool {
        guard counts.calls >= minimum, counts.calls > 0 else { return false }
        let calls = Double(counts.calls)
        return Double(counts.failures) / calls >= configuration.failureRateThreshold
            || Double(counts.slow) / calls >= configuration.slowCallRateThreshold
    }

    private func transition(_ core: inout Core, to state: State, now: Int64, changes: inout [StateChange]) {
        let from = core.state
        core.state = state
        core.generation += 1
        switch state {
        case .open:
            core.consecutiveOpenings += 1
            let wait = configuration.openDuration.duration(forOpening: core.consecutiveOpenings).nanoseconds
            let (until, overflow) = now.addingReportingOverflow(wait)
            core.openUntil = overflow ? .max : until
        case .halfOpen:
            core.probes = OutcomeCounts()
            core.probesAdmitted = 0
            core.halfOpenSince = now
        case .closed:
            core.consecutiveOpenings = 0
            core.window.reset()
        case .forcedOpen, .disabled:
            break
        }
        if from != state { changes.append(StateChange(breaker: name, from: from, to: state)) }
    }

    private func move(to state: State) {
        let now = clock.nanoseconds
        let changes = core.withLock { core in
            var changes: [StateChange] = []
            transition(&core, to: state, now: now, changes: &changes)
            return changes
        }
        announce(changes)
    }

    private func announce(_ changes: [StateChange]) {
        guard !changes.isEmpty else { return }
        let continuations = subscribers.withLock { Array($0.values) }
        for change in changes {
            onStateChange?(change)
            for continuation in continuations { continuation.yield(change) }
        }
    }
}
