#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Any `Clock<Duration>` seen as whole nanoseconds elapsed since the moment it was injected.
///
/// Resilience's and the caches' types keep its times as `Int64` nanoseconds on this scale: they are
/// stored, compared and subtracted on every call, and `Duration`'s 128-bit arithmetic costs
/// more than the rest of a breaker's bookkeeping. The public API stays in `Duration`.
///
/// With the system clocks (`ContinuousClock`, `SuspendingClock`) the time is read from the
/// kernel's coarse monotonic clock (1–4 ms resolution; a few nanoseconds to read where a precise
/// read can cost 20–200): thresholds, windows and limits are seconds, not microseconds. Sleeps
/// still go through the injected clock, so they are as precise as it is. Any other clock (a
/// `ManualClock` in tests) is read exactly.
@usableFromInline
package struct InjectedClock: Sendable {
    private let read: @Sendable () -> Int64
    private let sleeper: @Sendable (Int64) async throws -> Void

    package init<C: Clock<Duration>>(_ clock: C) {
        if let fast = Self.coarseNanoseconds, clock is ContinuousClock || clock is SuspendingClock {
            let origin = clock.now
            let originNanoseconds = fast()
            read = { fast() - originNanoseconds }
            sleeper = { deadline in
                try await clock.sleep(until: origin.advanced(by: .nanoseconds(deadline)), tolerance: nil)
            }
        } else {
            let origin = clock.now
            read = { origin.duration(to: clock.now).nanoseconds }
            sleeper = { deadline in try await clock.sleep(until: origin.advanced(by: .nanoseconds(deadline)), tolerance: nil) }
        }
    }

    /// Nanoseconds since the clock was injected.
    @usableFromInline
    package var nanoseconds: Int64 { read() }

    /// Time since the clock was injected.
    @usableFromInline
    package var now: Duration { .nanoseconds(read()) }

    /// Sleeps until `deadline` nanoseconds on this clock's scale.
    ///
    /// - Throws: `LLMError.cancelled` if the task is cancelled first.
    package func sleep(untilNanoseconds deadline: Int64) async throws(LLMError) {
        do {
            try await sleeper(deadline)
        } catch {
            throw .cancelled()
        }
    }

    /// Sleeps until `deadline` on this clock's scale.
    package func sleep(until deadline: Duration) async throws(LLMError) {
        try await sleep(untilNanoseconds: deadline.nanoseconds)
    }

    /// Sleeps for `duration`.
    package func sleep(for duration: Duration) async throws(LLMError) {
        try await sleep(untilNanoseconds: read() + duration.nanoseconds)
    }

    /// A reader of the platform's coarse monotonic clock, where there is one.
    private static let coarseNanoseconds: (@Sendable () -> Int64)? = {
        #if os(Linux) || os(Android)
        return {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
            return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
        }
        #elseif canImport(Darwin)
        return { Int64(clamping: clock_gettime_nsec_np(CLOCK_MONOTONIC_RAW_APPROX)) }
        #else
        return nil
        #endif
    }()
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64`'s range (292 years).
    @usableFromInline
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowed) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowed { return seconds < 0 ? .min : .max }
        return total
    }
}
