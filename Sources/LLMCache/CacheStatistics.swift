/// Counters of an ``ExactCache`` since it was created (or since its statistics were reset).
public struct CacheStatistics: Sendable, Hashable, Codable {
    /// Lookups that found a live entry.
    public var hits: Int
    /// Lookups that found nothing, or only an expired entry.
    public var misses: Int
    /// Entries removed to make room, including new entries the admission policy turned away
    /// when they left the window.
    public var evictions: Int
    /// Entries removed because their time to live had passed.
    public var expirations: Int
    /// Insertions refused because the entry alone weighs more than one shard of the cache holds.
    public var rejections: Int

    /// Creates statistics.
    public init(hits: Int = 0, misses: Int = 0, evictions: Int = 0, expirations: Int = 0, rejections: Int = 0) {
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.expirations = expirations
        self.rejections = rejections
    }

    /// Hits divided by lookups, or 0 before the first lookup.
    public var hitRatio: Double {
        hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses)
    }

    /// The field-by-field sum.
    public static func + (lhs: CacheStatistics, rhs: CacheStatistics) -> CacheStatistics {
        CacheStatistics(
            hits: lhs.hits + rhs.hits, misses: lhs.misses + rhs.misses, evictions: lhs.evictions + rhs.evictions,
            expirations: lhs.expirations + rhs.expirations, rejections: lhs.rejections + rhs.rejections)
    }
}
