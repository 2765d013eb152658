import LLMCore
import Synchronization

/// Exact spending totals per deployment, per key and per period.
///
/// Costs are ``Cost`` values (whole picodollars), so a million small additions sum exactly and in
/// any order. A ``ModelRouter`` records every answered call (and the partial usage of a stream that
/// broke off, which providers bill too); anything else may record into the same ledger.
///
/// Periods are consecutive windows of ``periodLength`` counted from the ledger's creation on its
/// clock; the ledger is in memory, so feed ``snapshot()`` to durable storage if you bill from it.
public final class CostLedger: Sendable {
    /// Spending and usage of one deployment, key or period.
    public struct Entry: Sendable, Hashable, Codable {
        /// The exact cost.
        public var cost: Cost
        /// Tokens used.
        public var usage: Usage
        /// Calls recorded.
        public var requests: Int

        /// Nothing spent.
        public static let zero = Entry(cost: .zero, usage: .zero, requests: 0)

        mutating func add(_ cost: Cost, _ usage: Usage) {
            self.cost += cost
            self.usage += usage
            requests += 1
        }
    }

    /// Everything the ledger holds at one moment.
    public struct Snapshot: Sendable, Hashable {
        /// All spending.
        public var total: Entry
        /// By deployment name.
        public var byDeployment: [String: Entry]
        /// By key (user or tenant); calls without a key are not in it.
        public var byKey: [String: Entry]
        /// By period number (0 is the first ``CostLedger/periodLength`` after the ledger's creation).
        public var byPeriod: [Int: Entry]
        /// The period now.
        public var currentPeriod: Int
    }

    private struct State {
        var total = Entry.zero
        var byDeployment: [String: Entry] = [:]
        var byKey: [String: Entry] = [:]
        var byPeriod: [Int: Entry] = [:]
    }

    /// The length of a reporting period.
    public let periodLength: Duration
    private let periodNanoseconds: Int64
    private let clock: InjectedClock
    private let state = Mutex(State())

    /// Creates an empty ledger.
    ///
    /// - Parameters:
    ///   - periodLength: The length of a reporting period (default a day); at least a nanosecond.
    ///   - clock: The time source; inject a `ManualClock` in tests.
    public init(periodLength: Duration = .seconds(86_400), clock: some Clock<Duration> = ContinuousClock()) {
        self.periodLength = periodLength
        periodNanoseconds = max(1, periodLength.nanoseconds)
        self.clock = InjectedClock(clock)
    }

    /// The number of the period now.
    public var currentPeriod: Int { Int(clock.nanoseconds / periodNanoseconds) }

    /// Records a call's cost and usage.
    public func record(_ cost: Cost, usage: Usage, deployment: String, key: String?) {
        let period = currentPeriod
        state.withLock { state in
            state.total.add(cost, usage)
            state.byDeployment[deployment, default: .zero].add(cost, usage)
            if let key { state.byKey[key, default: .zero].add(cost, usage) }
            state.byPeriod[period, default: .zero].add(cost, usage)
        }
    }

    /// All spending so far.
    public var total: Cost { state.withLock { $0.total.cost } }

    /// What `deployment` has cost so far.
    public func spending(deployment: String) -> Entry { state.withLock { $0.byDeployment[deployment] ?? .zero } }

    /// What `key` has spent so far.
    public func spending(key: String) -> Entry { state.withLock { $0.byKey[key] ?? .zero } }

    /// Everything, at once and consistently.
    public func snapshot() -> Snapshot {
        let period = currentPeriod
        return state.withLock { state in
            Snapshot(
                total: state.total, byDeployment: state.byDeployment, byKey: state.byKey, byPeriod: state.byPeriod,
                currentPeriod: period)
        }
    }
}
