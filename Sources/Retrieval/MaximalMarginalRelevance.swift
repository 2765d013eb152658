/// Maximal marginal relevance (Carbonell & Goldstein, 1998): picks results one at a time,
/// each maximising λ · relevance − (1 − λ) · (its greatest similarity to those already picked),
/// so near-duplicates of an earlier pick sink unless they are much more relevant.
public enum MaximalMarginalRelevance {
    /// The indices of up to `count` items in pick order.
    ///
    /// - Parameters:
    ///   - relevance: Each candidate's relevance, ideally scaled to 0…1 like `similarity`.
    ///   - lambda: 1 ranks by relevance alone; 0 by novelty alone.
    ///   - similarity: The similarity of two candidates (by index), ideally in 0…1 (cosine of embeddings).
    ///     Ties are broken by the lower index, so equal inputs give equal output.
    public static func select(
        count: Int, relevance: [Double], lambda: Double, similarity: (Int, Int) -> Double
    ) -> [Int] {
        let total = relevance.count
        var picked: [Int] = []
        picked.reserveCapacity(min(count, total))
        var isPicked = [Bool](repeating: false, count: total)
        // The greatest similarity of each candidate to anything picked so far, kept up to date
        // after every pick so the whole selection costs O(count × total) similarity calls.
        var redundancy = [Double](repeating: -.infinity, count: total)
        while picked.count < min(count, total) {
            var best = -1
            var bestValue = -Double.infinity
            for candidate in 0..<total where !isPicked[candidate] {
                let penalty = picked.isEmpty ? 0 : redundancy[candidate]
                let value = lambda * relevance[candidate] - (1 - lambda) * penalty
                if value > bestValue || best < 0 {  // best < 0: NaN inputs still pick something
                    best = candidate
                    bestValue = value
                }
            }
            picked.append(best)
            isPicked[best] = true
            for candidate in 0..<total where !isPicked[candidate] {
                redundancy[candidate] = max(redundancy[candidate], similarity(candidate, best))
            }
        }
        return picked
    }
}
