/// What a router knows about one deployment between calls.
struct DeploymentRuntime {
    var inFlight = 0
    /// Smooth weighted round robin's running weight.
    var currentWeight = 0
    /// Moving averages in nanoseconds.
    var firstTokenAverage: Double?
    var totalAverage: Double?
    /// When it last failed, on the router's clock.
    var lastFailure: Int64?
    /// Skipped until then after a 429.
    var coolingUntil: Int64 = .min

    mutating func recordLatency(firstToken: Int64?, total: Int64, smoothing: Double) {
        func blend(_ average: Double?, _ sample: Int64) -> Double {
            guard let average else { return Double(sample) }
            return average + smoothing * (Double(sample) - average)
        }
        if let firstToken { firstTokenAverage = blend(firstTokenAverage, firstToken) }
        totalAverage = blend(totalAverage, total)
    }
}

/// Everything a router changes per call, behind one lock.
struct RouterState {
    var runtimes: [DeploymentRuntime]
    var random: RouterRandom
}

/// SplitMix64: small, fast and reproducible from a seed, for the router's few random choices.
struct RouterRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
