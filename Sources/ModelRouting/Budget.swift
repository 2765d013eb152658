import LLMCore

/// A spending limit a ``ModelRouter`` enforces before it calls a model.
///
/// Before a call the router estimates its cost (the prompt's tokens plus the request's output limit,
/// or ``RouterConfiguration/assumedOutputTokens``, at the deployment's prices) and reserves it; a
/// request whose estimate would take spent-plus-reserved over the limit is rejected with
/// ``LLMError/Kind/budgetExceeded`` without calling anything. After the call the reservation is
/// replaced by the actual cost.
public struct Budget: Sendable, Hashable {
    /// Whose spending the limit applies to.
    public enum Scope: Sendable, Hashable {
        /// All requests together.
        case global
        /// Each key separately (the key comes from ``RouterConfiguration/budgetKey``, by default
        /// ``ChatRequest/user``); requests without a key are not limited by it.
        case perKey
        /// One key only.
        case key(String)
    }

    /// Over what time the limit applies.
    public enum Period: Sendable, Hashable {
        /// For the router's whole life.
        case lifetime
        /// Consecutive windows of this length, counted from the router's creation; spending starts
        /// from zero in each.
        case every(Duration)
    }

    /// Whose spending is limited.
    public var scope: Scope
    /// The most that may be spent per period.
    public var limit: Cost
    /// The period.
    public var period: Period

    /// Creates a budget.
    public init(_ scope: Scope, limit: Cost, per period: Period) {
        self.scope = scope
        self.limit = limit
        self.period = period
    }
}
