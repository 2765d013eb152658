import LLMCore
import Synchronization

/// Limits how fast each key (a user, an API key, a tenant) may call, with bounded memory.
///
/// ``tryAcquire(_:for:)`` answers at once; ``acquire(_:for:maxWait:)`` waits its turn. Waiters of a
/// key are served strictly in arrival order, and a `tryAcquire` never jumps ahead of them.
/// Permits are weighted, so one limiter can count requests (1 per call) or tokens: reserve the
/// estimated prompt plus the most output the request allows, then ``reconcile(reserved:actual:for:)``
/// with the usage the provider reports.
///
/// Memory is bounded by `maxKeys`: when a new key would pass it, keys that hold no information
/// (a full bucket, an empty window) are dropped first, then the least recently used quarter of the
/// rest (forgiving whatever they had used — the only way to bound memory without refusing new keys).
/// Keys with waiters are never dropped.
///
/// ```swift
/// let perUser = try RateLimiter<String>(.slidingWindow(limit: 20, window: .seconds(60)))
/// guard case .granted = perUser.tryAcquire(for: userID) else { return "Too many questions — try again soon." }
/// ```
public final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    /// The answer to ``tryAcquire(_:for:)``.
    public enum Decision: Sendable, Hashable {
        /// The permits were taken.
        case granted
        /// Not now. `retryAfter` estimates when they would be available (assuming no one else takes
        /// any); `nil` when the request is larger than the limit and can never be granted.
        case denied(retryAfter: Duration?)
    }

    private struct State {
        var entries: [Key: LimiterEntry] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// The limit applied to each key.
    public let limit: RateLimit
    /// The most keys kept at once.
    public let maxKeys: Int
    private let clock: InjectedClock
    private let state = Mutex(State())

    /// Creates a limiter that applies `limit` to every key separately.
    ///
    /// - Parameters:
    ///   - limit: Per-key rate.
    ///   - maxKeys: The most keys tracked at once (at least 1).
    ///   - clock: The time source; inject a `ManualClock` in tests.
    /// - Throws: ``LLMError/Kind/badRequest`` for an invalid limit.
    public init(_ limit: RateLimit, maxKeys: Int = 10_000, clock: some Clock<Duration> = ContinuousClock()) throws(LLMError) {
        try limit.validate()
        self.limit = limit
        self.maxKeys = max(1, maxKeys)
        self.clock = InjectedClock(clock)
    }

    /// How many keys the limiter holds now.
    public var keyCount: Int { state.withLock { $0.entries.count } }

    /// Callers waiting in line for `key`.
    func waiterCount(for key: Key) -> Int { state.withLock { $0.entries[key]?.waiters.count ?? 0 } }

    /// Permits `key` could take now (negative while it is overdrawn after a reconciliation).
    public func availablePermits(for key: Key) -> Double {
        let now = clock.nanoseconds
        return state.withLock { state in
            guard var entry = state.entries[key] else { return Double(limit.capacity) }
            entry.counters.refresh(now: now)
            state.entries[key] = entry
            return entry.counters.available(now: now)
        }
    }

    /// Takes `permits` for `key` if they are available now and no one is waiting for them.
    public func tryAcquire(_ permits: Int = 1, for key: Key) -> Decision {
        guard permits <= limit.capacity else { return .denied(retryAfter: nil) }
        let now = clock.nanoseconds
        return state.withLock { state in
            withEntry(key, in: &state, now: now) { entry in
                if entry.waiters.isEmpty, entry.counters.canTake(permits, now: now) {
                    entry.counters.take(permits)
                    return .granted
                }
                return .denied(retryAfter: .nanoseconds(entry.counters.timeUntilAvailable(queuedPermits(entry) + permits, now: now)))
            }
        }
    }

    /// Takes `permits` for `key`, waiting in line until they are available.
    ///
    /// - Parameter maxWait: If set, and the wait is estimated to be longer, fails at once instead of waiting.
    /// - Throws: ``LLMError/Kind/rateLimited`` (with ``LLMError/retryAfter``) when the estimated wait
    ///   exceeds `maxWait`; ``LLMError/Kind/badRequest`` when `permits` exceeds the limit's capacity
    ///   (it could never be granted); ``LLMError/Kind/cancelled`` if the task is cancelled while waiting
    ///   (its place in line is given up).
    public func acquire(_ permits: Int = 1, for key: Key, maxWait: Duration? = nil) async throws(LLMError) {
        guard permits <= limit.capacity else {
            throw LLMError(
                kind: .badRequest,
                message: "asked the rate limiter for \(permits) permits, but \(limit) never grants more than \(limit.capacity) at once")
        }
        let now = clock.nanoseconds
        let start = state.withLock { state -> LimiterStart in
            state.nextWaiter += 1
            let id = state.nextWaiter
            return withEntry(key, in: &state, now: now) { entry in
                if entry.waiters.isEmpty, entry.counters.canTake(permits, now: now) {
                    entry.counters.take(permits)
                    return .granted
                }
                let estimate = entry.counters.timeUntilAvailable(queuedPermits(entry) + permits, now: now)
                if let maxWait, estimate > maxWait.nanoseconds { return .tooLong(estimate) }
                entry.waiters.append(LimiterWaiter(id: id, permits: permits, isHead: entry.waiters.isEmpty))
                return entry.waiters.count == 1 ? .head(id) : .queued(id)
            }
        }
        switch start {
        case .granted:
            return
        case .tooLong(let nanoseconds):
            let estimate = Duration.nanoseconds(nanoseconds)
            throw LLMError(
                kind: .rateLimited,
                message: "rate limit \(limit) reached for this key; the next permits are about \(estimate) away",
                retryAfter: estimate)
        case .queued(let id):
            try await waitToBeHead(id: id, key: key)
            try await takeAsHead(id: id, permits: permits, key: key)
        case .head(let id):
            try await takeAsHead(id: id, permits: permits, key: key)
        }
    }

    /// Settles a reservation: gives back what was reserved but not used, or takes what was used beyond it.
    ///
    /// Taking more may overdraw the key, so its next calls wait longer: that is how a tokens-per-minute
    /// limit stays true when the estimate was low.
    public func reconcile(reserved: Int, actual: Int, for key: Key) {
        guard reserved != actual else { return }
        let now = clock.nanoseconds
        state.withLock { state in
            withEntry(key, in: &state, now: now) { entry in
                if actual > reserved {
                    entry.counters.take(actual - reserved)
                } else {
                    entry.counters.giveBack(reserved - actual)
                }
            }
        }
    }

    // MARK: - Waiting in line

    /// Suspends until the waiter becomes first in line.
    private func waitToBeHead(id: UInt64, key: Key) async throws(LLMError) {
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let ready: Bool? = state.withLock { state in
                        guard let index = state.entries[key]?.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        if state.entries[key]!.waiters[index].isHead { return true }
                        state.entries[key]!.waiters[index].continuation = continuation
                        return false
                    }
                    switch ready {
                    case nil: continuation.resume(throwing: CancellationError())
                    case true?: continuation.resume()
                    case false?: break
                    }
                }
            } onCancel: {
                let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                    guard let index = state.entries[key]?.waiters.firstIndex(where: { $0.id == id }),
                        !state.entries[key]!.waiters[index].isHead
                    else { return nil }
                    return state.entries[key]!.waiters.remove(at: index).continuation
                }
                continuation?.resume(throwing: CancellationError())
            }
        } catch {
            throw .cancelled("cancelled while waiting for a rate limit permit")
        }
    }

    /// As first in line: sleeps until the permits are available, takes them and hands the line on.
    private func takeAsHead(id: UInt64, permits: Int, key: Key) async throws(LLMError) {
        while true {
            let now = clock.nanoseconds
            let step = state.withLock { state -> LimiterStep in
                withEntry(key, in: &state, now: now) { entry in
                    guard entry.counters.canTake(permits, now: now) else {
                        return .wait(until: now + entry.counters.timeUntilAvailable(permits, now: now))
                    }
                    entry.counters.take(permits)
                    return .done(next: leaveLine(id: id, entry: &entry))
                }
            }
            switch step {
            case .done(let next):
                next?.resume()
                return
            case .wait(let deadline):
                do {
                    try await clock.sleep(untilNanoseconds: deadline)
                } catch {
                    let next = state.withLock { state in
                        withEntry(key, in: &state, now: clock.nanoseconds) { entry in leaveLine(id: id, entry: &entry) }
                    }
                    next?.resume()
                    throw .cancelled("cancelled while waiting for a rate limit permit")
                }
            }
        }
    }

    /// Removes the head waiter and promotes the next one; returns its continuation to resume (outside the lock).
    private func leaveLine(id: UInt64, entry: inout LimiterEntry) -> CheckedContinuation<Void, any Error>? {
        entry.waiters.removeAll { $0.id == id }
        guard !entry.waiters.isEmpty else { return nil }
        entry.waiters[0].isHead = true
        defer { entry.waiters[0].continuation = nil }
        return entry.waiters[0].continuation
    }

    private func queuedPermits(_ entry: LimiterEntry) -> Int {
        entry.waiters.reduce(0) { $0 + $1.permits }
    }

    // MARK: - Keys

    /// Runs `body` on the key's entry (created, and memory bounded, if need be), refreshed to `now`.
    private func withEntry<T>(_ key: Key, in state: inout State, now: Int64, _ body: (inout LimiterEntry) -> T) -> T {
        if state.entries.count >= maxKeys, state.entries[key] == nil { evict(from: &state, now: now) }
        // One hash lookup on the common path: the defaulted subscript finds or inserts in place.
        return Self.touch(&state.entries[key, default: LimiterEntry(counters: LimiterCounters(limit, now: now), lastUsed: now)], now: now, body)
    }

    private static func touch<T>(_ entry: inout LimiterEntry, now: Int64, _ body: (inout LimiterEntry) -> T) -> T {
        entry.counters.refresh(now: now)
        entry.lastUsed = now
        return body(&entry)
    }

    /// Drops idle keys, then if still full the least recently used quarter of the keys without waiters.
    private func evict(from state: inout State, now: Int64) {
        state.entries = state.entries.filter { _, entry in
            var counters = entry.counters
            counters.refresh(now: now)
            return !entry.waiters.isEmpty || !counters.isIdle(now: now)
        }
        guard state.entries.count >= maxKeys else { return }
        let evictable = state.entries.filter { $0.value.waiters.isEmpty }.sorted { $0.value.lastUsed < $1.value.lastUsed }
        for (key, _) in evictable.prefix(max(1, maxKeys / 4)) { state.entries.removeValue(forKey: key) }
    }
}

/// One caller waiting in a key's line.
private struct LimiterWaiter {
    let id: UInt64
    let permits: Int
    var continuation: CheckedContinuation<Void, any Error>?
    /// First in line: it now waits on the clock rather than on its predecessor.
    var isHead = false
}

/// How an acquisition begins.
private enum LimiterStart { case granted, head(UInt64), queued(UInt64), tooLong(Int64) }
/// What the first waiter in line does next.
private enum LimiterStep { case done(next: CheckedContinuation<Void, any Error>?), wait(until: Int64) }

/// One key's counters and line.
private struct LimiterEntry {
    var counters: LimiterCounters
    var waiters: [LimiterWaiter] = []
    var lastUsed: Int64
}
