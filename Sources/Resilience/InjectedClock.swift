import LLMCore

/// Any `Clock<Duration>` seen as time elapsed since the moment it was injected.
///
/// Every type in this module keeps its own times as `Duration`s on this scale, so it can
/// store them, compare them and do arithmetic without generic clock parameters leaking
/// into its public API, and a test can inject a `ManualClock` as easily as production
/// code injects `ContinuousClock`.
struct InjectedClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { deadline in try await clock.sleep(until: origin.advanced(by: deadline), tolerance: nil) }
    }

    /// Time since the clock was injected.
    var now: Duration { elapsed() }

    /// Sleeps until `deadline` on this clock's scale.
    ///
    /// - Throws: `LLMError.cancelled` if the task is cancelled first.
    func sleep(until deadline: Duration) async throws(LLMError) {
        do {
            try await sleeper(deadline)
        } catch {
            throw .cancelled()
        }
    }

    /// Sleeps for `duration`.
    func sleep(for duration: Duration) async throws(LLMError) {
        try await sleep(until: now + duration)
    }
}
