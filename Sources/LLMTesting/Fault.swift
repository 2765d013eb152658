import LLMCore

/// A failure ``FaultInjectingChatModel`` can inject into a call.
public enum Fault: Sendable, Hashable {
    /// HTTP 429 with an optional `Retry-After`.
    case rateLimited(retryAfter: Duration?)
    /// HTTP 503: the provider is overloaded.
    case overloaded
    /// HTTP 500: the provider failed.
    case serverError
    /// No answer in time: waits `after` on the clock, then fails with ``LLMError/Kind/timeout``.
    case timeout(after: Duration)
    /// A slow answer: waits on the clock, then lets the call through.
    case latency(Duration)
    /// A stream that breaks off after this many events with ``LLMError/Kind/transport``.
    /// A one-shot call fails the same way before answering.
    case streamCut(afterEvents: Int)

    /// The error this fault produces, if it produces one immediately.
    var error: LLMError? {
        switch self {
        case .rateLimited(let retryAfter):
            var headers: [String: String] = [:]
            if let retryAfter {
                // The header carries whole seconds; round up so a client never retries early.
                let (seconds, attoseconds) = retryAfter.components
                headers["retry-after"] = String(seconds + (attoseconds > 0 ? 1 : 0))
            }
            return LLMError(
                kind: .rateLimited, message: "injected fault: rate limited", httpStatus: 429, headers: headers,
                retryAfter: retryAfter, provider: "fault-injector")
        case .overloaded:
            return LLMError(kind: .overloaded, message: "injected fault: overloaded", httpStatus: 503, provider: "fault-injector")
        case .serverError:
            return LLMError(kind: .server, message: "injected fault: internal server error", httpStatus: 500, provider: "fault-injector")
        case .timeout:
            return LLMError(kind: .timeout, message: "injected fault: timed out", provider: "fault-injector")
        case .streamCut(let count):
            return LLMError(
                kind: .transport, message: "injected fault: connection closed after \(count) events", provider: "fault-injector")
        case .latency:
            return nil
        }
    }
}

/// Which calls a ``FaultInjectingChatModel`` disturbs, and how.
///
/// A plan decides the fault for call *n* from *n* alone (and the seed), so a
/// run is reproducible whatever order concurrent calls arrive in.
public struct FaultPlan: Sendable {
    private enum Source: Sendable {
        case sequence([Fault?], repeating: Bool)
        case random(seed: UInt64, faults: [(fault: Fault, probability: Double)])
    }

    private let source: Source

    /// Injects `faults[n]` into call *n* (`nil` lets it through); after the list, calls pass, or the list repeats.
    public static func sequence(_ faults: [Fault?], repeating: Bool = false) -> FaultPlan {
        FaultPlan(source: .sequence(faults, repeating: repeating))
    }

    /// Injects each fault with its probability, drawn from a generator seeded by `seed` and the call number.
    ///
    /// The probabilities are of disjoint events and must sum to at most 1.
    public static func random(seed: UInt64, faults: [(fault: Fault, probability: Double)]) -> FaultPlan {
        let total = faults.reduce(0) { $0 + $1.probability }
        precondition(
            faults.allSatisfy { $0.probability >= 0 } && total <= 1 + 1e-9,
            "fault probabilities must be non-negative and sum to at most 1, got \(total)")
        return FaultPlan(source: .random(seed: seed, faults: faults))
    }

    /// Lets every call through.
    public static let none = FaultPlan.sequence([])

    /// The fault for the call numbered `call` (from 0), if any.
    public func fault(forCall call: Int) -> Fault? {
        switch source {
        case .sequence(let faults, let repeating):
            guard !faults.isEmpty else { return nil }
            if call < faults.count { return faults[call] }
            return repeating ? faults[call % faults.count] : nil
        case .random(let seed, let faults):
            var draw = unitInterval(seed: seed, index: UInt64(call))
            for (fault, probability) in faults {
                if draw < probability { return fault }
                draw -= probability
            }
            return nil
        }
    }
}

/// A uniform number in [0, 1) from a seed and an index, by SplitMix64's finaliser.
private func unitInterval(seed: UInt64, index: UInt64) -> Double {
    var z = seed &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) / Double(1 << 53)
}
