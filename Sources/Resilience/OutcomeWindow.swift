/// Counts of recorded calls in a breaker's sliding window.
struct OutcomeCounts: Sendable, Equatable {
    var calls = 0
    var failures = 0
    var slow = 0

    static func += (lhs: inout OutcomeCounts, rhs: OutcomeCounts) {
        lhs.calls += rhs.calls
        lhs.failures += rhs.failures
        lhs.slow += rhs.slow
    }

    static func -= (lhs: inout OutcomeCounts, rhs: OutcomeCounts) {
        lhs.calls -= rhs.calls
        lhs.failures -= rhs.failures
        lhs.slow -= rhs.slow
    }
}

/// The sliding window a ``CircuitBreaker`` computes its rates over, in constant memory.
///
/// A count window is a ring of the last `n` outcomes; a time window is a ring of `n` time slices,
/// each holding the counts of the calls recorded in it. Both keep running totals, so recording a
/// call is O(1) (a time window that sat idle clears at most `n` slices on the next call).
struct OutcomeWindow: Sendable {
    private struct Slice: Sendable {
        var index: Int64 = .min
        var counts = OutcomeCounts()
    }

    /// Count window: the last outcomes, oldest overwritten first.
    private var ring: [OutcomeCounts] = []
    private var next = 0
    private var filled = 0
    /// Time window: one slice per `sliceWidth` nanoseconds, `newestSlice` the latest one touched.
    private var slices: [Slice] = []
    private var sliceWidth: Int64 = 1
    private var newestSlice: Int64 = .min
    private var totals = OutcomeCounts()

    init(_ kind: CircuitBreakerConfiguration.SlidingWindow) {
        switch kind {
        case .count(let size):
            ring = [OutcomeCounts](repeating: OutcomeCounts(), count: size)
        case .time(let duration, let buckets):
            sliceWidth = max(1, (duration / buckets).nanoseconds)
            slices = [Slice](repeating: Slice(), count: buckets)
        }
    }

    /// The counts of the calls still in the window at `now` (nanoseconds on the breaker's clock).
    mutating func counts(at now: Int64) -> OutcomeCounts {
        if !slices.isEmpty { expire(upTo: now) }
        return totals
    }

    /// Records one call that finished at `now`.
    mutating func record(failure: Bool, slow: Bool, at now: Int64) {
        let outcome = OutcomeCounts(calls: 1, failures: failure ? 1 : 0, slow: slow ? 1 : 0)
        if slices.isEmpty {
            if filled == ring.count {
                totals -= ring[next]
            } else {
                filled += 1
            }
            ring[next] = outcome
            next = next + 1 == ring.count ? 0 : next + 1
        } else {
            let current = expire(upTo: now)
            slices[position(of: current)].counts += outcome
        }
        totals += outcome
    }

    /// Forgets every recorded call.
    mutating func reset() {
        for index in ring.indices { ring[index] = OutcomeCounts() }
        for index in slices.indices { slices[index] = Slice() }
        next = 0
        filled = 0
        newestSlice = .min
        totals = OutcomeCounts()
    }

    /// Drops the slices that have aged out by `now`; returns the index of the slice `now` falls in.
    @discardableResult
    private mutating func expire(upTo now: Int64) -> Int64 {
        let current = max(0, now) / sliceWidth
        guard current > newestSlice else { return newestSlice }
        let oldestKept = current - Int64(slices.count) + 1
        let first = newestSlice == .min ? oldestKept : max(newestSlice + 1, oldestKept)
        for index in first...current {
            let position = position(of: index)
            totals -= slices[position].counts
            slices[position] = Slice(index: index)
        }
        newestSlice = current
        return current
    }

    private func position(of slice: Int64) -> Int {
        let remainder = slice % Int64(slices.count)
        return Int(remainder < 0 ? remainder + Int64(slices.count) : remainder)
    }
}
