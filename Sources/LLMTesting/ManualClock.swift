import Synchronization

/// A `Clock` whose time moves only when a test moves it, so time-dependent code is tested without sleeping.
///
/// Tasks that sleep on it wait until ``advance(by:)`` or ``advance(to:)``
/// passes their deadline. Advancing steps through the deadlines in order: at
/// each step ``now`` is the deadline being reached, every sleeper due then is
/// woken (in the order they began sleeping), and the advance waits until each
/// of them has returned from `sleep` before moving on. Cancelling a sleeping
/// task wakes it at once with `CancellationError`, as `Task.sleep` does.
///
/// ```swift
/// let clock = ManualClock()
/// let task = Task { try await clock.sleep(for: .seconds(30)) }
/// await clock.waitForSleepers(count: 1)
/// await clock.advance(by: .seconds(30))   // the task's sleep returns
/// ```
public final class ManualClock: Clock, Sendable {
    /// A point in a manual clock's time: the duration since the clock's zero.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Time since the clock's zero.
        public var offset: Duration

        /// Creates an instant `offset` after the clock's zero.
        public init(offset: Duration) { self.offset = offset }

        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// The duration from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }

        /// Whether `lhs` comes before `rhs`.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }

        /// The offset, such as `12.5 seconds`.
        public var description: String { "\(offset)" }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<WakeBatch?, any Error>
    }

    private struct SleeperWaiter {
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Instant
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        /// Sleepers cancelled before they registered (or after they were woken).
        var cancelledIDs: Set<UInt64> = []
        var sleeperWaiters: [SleeperWaiter] = []
    }

    private let state: Mutex<State>

    /// Creates a clock that reads `now` (its zero by default).
    public init(now: Instant = Instant(offset: .zero)) {
        state = Mutex(State(now: now))
    }

    /// The current time.
    public var now: Instant { state.withLock { $0.now } }

    /// Zero: a manual clock is exact.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline of a sleeping task, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Suspends until `deadline`, which only ``advance(by:)`` or ``advance(to:)`` can bring.
    ///
    /// Returns at once if `deadline` is not after ``now``.
    /// - Throws: `CancellationError` if the task is cancelled before or while sleeping.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        defer { _ = state.withLock { $0.cancelledIDs.remove(id) } }
        let batch: WakeBatch? = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                register(Sleeper(id: id, deadline: deadline, continuation: continuation))
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<WakeBatch?, any Error>? in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index).continuation
                }
                state.cancelledIDs.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
        batch?.acknowledge()
    }

    private func register(_ sleeper: Sleeper) {
        enum Action {
            case wakeNow
            case cancelled
            case sleep(ready: [CheckedContinuation<Void, Never>])
        }
        let action = state.withLock { state -> Action in
            if state.cancelledIDs.contains(sleeper.id) { return .cancelled }
            if sleeper.deadline <= state.now { return .wakeNow }
            state.sleepers.append(sleeper)
            let count = state.sleepers.count
            let ready = state.sleeperWaiters.filter { $0.count <= count }.map(\.continuation)
            state.sleeperWaiters.removeAll { $0.count <= count }
            return .sleep(ready: ready)
        }
        switch action {
        case .wakeNow: sleeper.continuation.resume(returning: nil)
        case .cancelled: sleeper.continuation.resume(throwing: CancellationError())
        case .sleep(let ready): ready.forEach { $0.resume() }
        }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock.
    ///
    /// Use it before advancing, so the advance does not race the task that is about to sleep.
    public func waitForSleepers(count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.sleeperWaiters.append(SleeperWaiter(count: count, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Moves time forward by `duration`, waking sleepers in deadline order.
    public func advance(by duration: Duration) async {
        await advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `target` (never backward), waking sleepers in deadline order.
    ///
    /// After each group of sleepers with the same deadline has returned from
    /// `sleep`, the advance yields a few times so that work they start (for
    /// example a second sleep) can register before time moves on.
    public func advance(to target: Instant) async {
        while let batch = takeNextBatch(upTo: target) {
            let wake = WakeBatch(count: batch.count)
            for sleeper in batch { sleeper.continuation.resume(returning: wake) }
            await wake.waitUntilAllAcknowledged()
            for _ in 0..<8 { await Task.yield() }
        }
    }

    /// Removes and returns the sleepers with the earliest deadline not after `target`, moving `now` to it;
    /// or moves `now` to `target` and returns `nil` when none is due.
    private func takeNextBatch(upTo target: Instant) -> [Sleeper]? {
        state.withLock { state in
            guard let earliest = state.sleepers.map(\.deadline).min(), earliest <= target else {
                state.now = max(state.now, target)
                return nil
            }
            state.now = max(state.now, earliest)
            let due = state.sleepers.filter { $0.deadline == earliest }
            state.sleepers.removeAll { $0.deadline == earliest }
            return due
        }
    }
}

/// Counts the sleepers of one wake-up step as they return, so the advance can wait for all of them.
private final class WakeBatch: Sendable {
    private struct State {
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(remaining: count))
    }

    func acknowledge() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.remaining -= 1
            guard state.remaining == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func waitUntilAllAcknowledged() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.remaining == 0 { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
