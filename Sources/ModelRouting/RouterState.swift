import LLMCore

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
    var random: SplitMix64
}
