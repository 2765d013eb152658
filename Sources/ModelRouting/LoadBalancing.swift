/// How a ``ModelRouter`` chooses among the deployments of one group.
///
/// Whatever the strategy, the deployments it did not pick are kept as fallbacks within the group
/// (ordered by the same strategy's preference), before the route's own fallbacks.
public enum LoadBalancing: String, Sendable, Hashable, CaseIterable {
    /// Smooth weighted round robin (as nginx does it): over any run of requests each deployment gets
    /// its weight's share, interleaved rather than in bursts. Deterministic.
    case weightedRoundRobin
    /// A random deployment, each with probability proportional to its weight (LiteLLM's default
    /// "simple shuffle"); random draws come from the router's seed.
    case weightedRandom
    /// The deployment with the fewest calls in flight relative to its weight; ties broken at random.
    case leastInFlight
    /// The deployment with the lowest moving average latency: time to first token for streams,
    /// total time for one-shot calls. Deployments not yet measured are tried first, and a small
    /// share of requests explores at random so a deployment that recovered is measured again.
    case lowestLatency
    /// The deployment whose estimated cost for this request is lowest; ties go to the one with
    /// fewer calls in flight.
    case lowestCost
}
