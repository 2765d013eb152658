import LLMCore

/// A classifier's answer: the tier a request belongs to and why.
public struct TierVerdict: Sendable, Hashable, Codable {
    /// The tier.
    public var tier: Tier
    /// A short human-readable explanation, recorded in ``RoutingDecision/reasons``.
    public var reason: String

    /// Creates a verdict.
    public init(tier: Tier, reason: String) {
        self.tier = tier
        self.reason = reason
    }
}

/// Decides which tier a request belongs to.
///
/// Classifying never fails: a classifier that cannot decide (its model is down, say) answers with a
/// default tier and says so in the reason, because failing the user's request over a routing hint
/// would be worse than routing it imperfectly.
public protocol RequestClassifier: Sendable {
    /// The tier for `request`.
    func classify(_ request: ChatRequest) async -> TierVerdict
}
