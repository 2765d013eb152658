/// How an ``ExactCache`` chooses what to keep when it is full.
public enum EvictionPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Window TinyLFU, as in Caffeine: new entries enter a small LRU window (1% of the capacity);
    /// an entry leaving the window is admitted to the main segmented LRU only if a frequency
    /// sketch says it is more popular than the entry it would displace. Popular entries survive
    /// scans and one-off keys, so it beats LRU on skewed traffic (see the `cache` benchmark).
    case windowTinyLFU
    /// Least recently used: every new entry is admitted and the stalest one leaves. Kept as the
    /// baseline the benchmark compares with, and for workloads where recency is all that matters.
    case leastRecentlyUsed
}
