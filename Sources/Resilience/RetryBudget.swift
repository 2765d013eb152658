import Synchronization

/// A retry allowance shared by many callers, so a struggling provider is not hit by a retry storm.
///
/// It works as gRPC's retry throttling does: a bucket holds up to `maxTokens` tokens and starts full;
/// every failed attempt that could be retried takes one token, every success puts back
/// `tokenRatio`; retries are allowed only while more than half the bucket is left. When most calls
/// fail, the bucket drains and the callers stop retrying — each still makes its first attempt —
/// until successes refill it. With the defaults (gRPC's documented example: 10 tokens, 0.1 per
/// success) a healthy provider never throttles, and a dead one sees about five retries in all
/// instead of two per call.
public final class RetryBudget: Sendable {
    /// Tokens are kept in thousandths so the bucket is a single atomic integer.
    private static let scale = 1_000
    private let capacity: Int
    private let refund: Int
    private let tokens: Atomic<Int>

    /// Creates a full budget.
    ///
    /// - Parameters:
    ///   - maxTokens: The bucket's size, at least 1 (retries stop below half of it).
    ///   - tokenRatio: Tokens a success returns, in (0, 1]; the inverse is about how many successes
    ///     pay for one retry.
    public init(maxTokens: Int = 10, tokenRatio: Double = 0.1) {
        capacity = max(1, maxTokens) * Self.scale
        refund = max(1, Int((min(1, max(0, tokenRatio)) * Double(Self.scale)).rounded()))
        tokens = Atomic(max(1, maxTokens) * Self.scale)
    }

    /// Whether a retry may be made now.
    public var allowsRetry: Bool { tokens.load(ordering: .relaxed) > capacity / 2 }

    /// Tokens left, in (0, `maxTokens`].
    public var availableTokens: Double { Double(tokens.load(ordering: .relaxed)) / Double(Self.scale) }

    /// Records a successful call.
    public func recordSuccess() {
        update { min(capacity, $0 + refund) }
    }

    /// Records a failed attempt that the retry policy would retry.
    public func recordRetryableFailure() {
        update { max(0, $0 - Self.scale) }
    }

    private func update(_ change: (Int) -> Int) {
        var current = tokens.load(ordering: .relaxed)
        while true {
            let next = change(current)
            if next == current { return }
            let (exchanged, original) = tokens.compareExchange(
                expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
