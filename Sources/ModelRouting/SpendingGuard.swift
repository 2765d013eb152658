import LLMCore
import Synchronization

/// Enforces a router's ``Budget``s: reserves each call's estimated cost before the call and settles
/// the actual cost after it.
final class SpendingGuard: Sendable {
    /// What one budget has spent and reserved in its current period, for one key.
    private struct Account {
        var period: Int64
        var spent = Cost.zero
        var reserved = Cost.zero
    }

    /// A reservation to settle: which accounts hold how much.
    struct Reservation: Sendable {
        fileprivate var holds: [AccountID]
        fileprivate var amount: Cost
        static let none = Reservation(holds: [], amount: .zero)
    }

    fileprivate struct AccountID: Hashable, Sendable {
        var budget: Int
        var key: String?
        var period: Int64
    }

    let budgets: [Budget]
    private let clock: InjectedClock
    private let accounts = Mutex([AccountID: Account]())
    /// Accounts kept before old periods' are dropped.
    private static let accountLimit = 10_000

    init(budgets: [Budget], clock: InjectedClock) {
        self.budgets = budgets
        self.clock = clock
    }

    /// Reserves `estimate` against every budget that applies to `key`.
    ///
    /// - Throws: ``LLMError/Kind/budgetExceeded`` naming the budget and what is left, reserving nothing.
    func reserve(_ estimate: Cost, key: String?) throws(LLMError) -> Reservation {
        guard !budgets.isEmpty else { return .none }
        let now = clock.nanoseconds
        var ids: [AccountID] = []
        for (index, budget) in budgets.enumerated() {
            let period: Int64
            switch budget.period {
            case .lifetime: period = 0
            case .every(let length): period = now / max(1, length.nanoseconds)
            }
            switch budget.scope {
            case .global: ids.append(AccountID(budget: index, key: nil, period: period))
            case .perKey: if let key { ids.append(AccountID(budget: index, key: key, period: period)) }
            case .key(let only): if key == only { ids.append(AccountID(budget: index, key: key, period: period)) }
            }
        }
        let refusal: LLMError? = accounts.withLock { accounts in
            for id in ids {
                let account = accounts[id] ?? Account(period: id.period)
                let limit = budgets[id.budget].limit
                if account.spent + account.reserved + estimate > limit {
                    return Self.refusal(budgets[id.budget], key: id.key, account: account, estimate: estimate, now: now)
                }
            }
            if accounts.count > Self.accountLimit { Self.dropIdle(&accounts, keeping: Set(ids)) }
            for id in ids { accounts[id, default: Account(period: id.period)].reserved += estimate }
            return nil
        }
        if let refusal { throw refusal }
        return Reservation(holds: ids, amount: estimate)
    }

    /// Replaces a reservation by the actual cost (which may be more or less than reserved).
    func settle(_ reservation: Reservation, actual: Cost) {
        guard !reservation.holds.isEmpty else { return }
        accounts.withLock { accounts in
            for id in reservation.holds {
                accounts[id, default: Account(period: id.period)].reserved -= reservation.amount
                accounts[id, default: Account(period: id.period)].spent += actual
            }
        }
    }

    private static func refusal(_ budget: Budget, key: String?, account: Account, estimate: Cost, now: Int64) -> LLMError {
        let left = budget.limit - account.spent - account.reserved
        let whose = switch budget.scope {
        case .global: "the global budget"
        case .perKey, .key: "the budget of '\(key ?? "")'"
        }
        var message = "\(whose) of \(budget.limit) would be exceeded: \(account.spent) spent, \(account.reserved) reserved by calls in flight, \(left < .zero ? Cost.zero : left) left, and this request is estimated at \(estimate)"
        var retryAfter: Duration?
        if case .every(let length) = budget.period {
            let renews = (account.period + 1) * max(1, length.nanoseconds) - now
            retryAfter = .nanoseconds(renews)
            message += "; it renews in \(retryAfter!). Raise the limit, lower maxOutputTokens, or wait"
        } else {
            message += ". Raise the limit or lower maxOutputTokens"
        }
        return LLMError(kind: .budgetExceeded, message: message, retryAfter: retryAfter)
    }

    /// Drops accounts of past periods with nothing in flight.
    private static func dropIdle(_ accounts: inout [AccountID: Account], keeping current: Set<AccountID>) {
        let currentPeriods = Dictionary(current.map { ($0.budget, $0.period) }, uniquingKeysWith: max)
        accounts = accounts.filter { id, account in
            account.reserved != .zero || id.period >= (currentPeriods[id.budget] ?? id.period)
        }
    }
}
