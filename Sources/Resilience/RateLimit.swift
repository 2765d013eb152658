import LLMCore

/// A rate limit: how many permits (requests, or tokens) a key may take, and over what time.
public enum RateLimit: Sendable, Hashable {
    /// A bucket of `capacity` permits refilled continuously at `refill` permits per `interval`:
    /// bursts up to `capacity`, then a steady rate. `tokenBucket(capacity: 60, refill: 60, per: .seconds(60))`
    /// is "60 a minute, all at once if need be".
    case tokenBucket(capacity: Int, refill: Int, per: Duration)
    /// At most `limit` permits in any `window`, estimated as Cloudflare's sliding-window counter
    /// does: the current fixed window's count plus the previous window's count weighted by how much
    /// of it the sliding window still covers. Two counters per key, no timestamps.
    case slidingWindow(limit: Int, window: Duration)

    /// The most permits one acquisition can ever get: the bucket's capacity or the window's limit.
    public var capacity: Int {
        switch self {
        case .tokenBucket(let capacity, _, _): capacity
        case .slidingWindow(let limit, _): limit
        }
    }

    func validate() throws(LLMError) {
        func fail(_ message: String) -> LLMError { LLMError(kind: .badRequest, message: "RateLimit: " + message) }
        switch self {
        case .tokenBucket(let capacity, let refill, let interval):
            guard capacity >= 1, refill >= 1, interval > .zero else {
                throw fail("a token bucket needs capacity ≥ 1, refill ≥ 1 and a positive interval, got \(self)")
            }
        case .slidingWindow(let limit, let window):
            guard limit >= 1, window > .zero else {
                throw fail("a sliding window needs limit ≥ 1 and a positive window, got \(self)")
            }
        }
    }
}

/// The counters of one key under a ``RateLimit``, on a clock read in nanoseconds. Permits may be
/// overdrawn (a reconciliation that found more usage than reserved); later acquisitions then wait
/// for the debt to clear.
struct LimiterCounters: Sendable {
    private let capacity: Double
    /// Token bucket: permits added per nanosecond. Sliding window: 0.
    private let refillPerNanosecond: Double
    /// Sliding window: its length in nanoseconds. Token bucket: 0.
    private let window: Int64
    /// Token bucket: tokens now (negative when overdrawn), as of `updated`.
    private var tokens: Double
    private var updated: Int64
    /// Sliding window: counts in the current and previous fixed windows; `windowIndex` numbers the current one.
    private var current: Double = 0
    private var previous: Double = 0
    private var windowIndex: Int64 = 0

    /// Tolerance for floating-point rounding when comparing permit counts.
    private static let epsilon = 1e-9

    init(_ limit: RateLimit, now: Int64) {
        capacity = Double(limit.capacity)
        tokens = capacity
        updated = now
        switch limit {
        case .tokenBucket(_, let refill, let interval):
            refillPerNanosecond = Double(refill) / Double(max(1, interval.nanoseconds))
            window = 0
        case .slidingWindow(_, let length):
            refillPerNanosecond = 0
            window = max(1, length.nanoseconds)
            windowIndex = max(0, now) / window
        }
    }

    private var isTokenBucket: Bool { window == 0 }

    /// Brings the counters to `now`: refills the bucket or rolls the fixed windows.
    mutating func refresh(now: Int64) {
        if isTokenBucket {
            guard now > updated else { return }
            tokens = min(capacity, tokens + refillPerNanosecond * Double(now - updated))
            updated = now
        } else {
            let index = max(0, now) / window
            guard index > windowIndex else { return }
            previous = index == windowIndex + 1 ? current : 0
            current = 0
            windowIndex = index
        }
    }

    /// Whether `permits` can be taken at `now` (after ``refresh(now:)``).
    func canTake(_ permits: Int, now: Int64) -> Bool {
        Double(permits) <= available(now: now) + Self.epsilon
    }

    /// Takes `permits`, overdrawing if need be.
    mutating func take(_ permits: Int) {
        if isTokenBucket { tokens -= Double(permits) } else { current += Double(permits) }
    }

    /// Gives back `permits` taken earlier (never beyond a full bucket or an empty window).
    mutating func giveBack(_ permits: Int) {
        if isTokenBucket {
            tokens = min(capacity, tokens + Double(permits))
        } else {
            let fromCurrent = min(current, Double(permits))
            current -= fromCurrent
            previous = max(0, previous - (Double(permits) - fromCurrent))
        }
    }

    /// Nanoseconds from `now` until `permits` can be taken (after ``refresh(now:)``), assuming nothing
    /// else is taken meanwhile. Rounding may make it a hair short; ``canTake(_:now:)`` tolerates that,
    /// and a waiter that still finds too few permits simply waits the remainder.
    func timeUntilAvailable(_ permits: Int, now: Int64) -> Int64 {
        let needed = Double(permits)
        if isTokenBucket {
            let missing = needed - tokens
            guard missing > Self.epsilon else { return 0 }
            return Int64((missing / refillPerNanosecond).rounded(.up))
        }
        let fraction = elapsedFraction(now: now)
        // Within the current window the estimate falls as the previous window's weight does.
        if current + needed <= capacity + Self.epsilon {
            guard previous > 0 else { return 0 }
            let target = 1 - (capacity - current - needed) / previous
            return target <= fraction ? 0 : Int64((Double(window) * (target - fraction)).rounded(.up))
        }
        // Otherwise wait into the next window, where today's count becomes the weighted one.
        let target = current > 0 ? max(0, 1 - (capacity - needed) / current) : 0
        return Int64((Double(window) * (1 - fraction + target)).rounded(.up))
    }

    /// Whether the key holds no information: a full bucket, or nothing counted in the sliding window.
    func isIdle(now: Int64) -> Bool {
        isTokenBucket ? tokens >= capacity - Self.epsilon : current <= 0 && previous <= 0
    }

    /// Permits that could be taken at `now`, negative while overdrawn.
    func available(now: Int64) -> Double {
        isTokenBucket ? tokens : capacity - (previous * (1 - elapsedFraction(now: now)) + current)
    }

    private func elapsedFraction(now: Int64) -> Double {
        Double(max(0, now) - windowIndex * window) / Double(window)
    }
}
