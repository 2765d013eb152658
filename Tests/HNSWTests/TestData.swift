import LLMTesting
import HNSW


/// Clustered random vectors, like embeddings: points scattered around a few random centres.
///
/// The centres depend only on the dimension, so vectors made with different seeds (a base set
/// and its queries) come from the same distribution.
func clusteredVectors(count: Int, dimension: Int, clusters: Int = 10, seed: UInt64) -> [[Float]] {
    var centreGenerator = SeededRandomNumberGenerator(seed: 0xC3A7 &+ UInt64(dimension))
    let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in Float.random(in: -1...1, using: &centreGenerator) } }
    var generator = SeededRandomNumberGenerator(seed: seed)
    return (0..<count).map { _ in
        let centre = centres[Int.random(in: 0..<clusters, using: &generator)]
        return centre.map { $0 + Float.random(in: -0.3...0.3, using: &generator) }
    }
}

/// recall@k of `found` against `expected`, over all queries.
func recall(_ found: [[Int]], _ expected: [[Int]]) -> Double {
    var hits = 0
    var total = 0
    for (got, want) in zip(found, expected) {
        hits += Set(got).intersection(want).count
        total += want.count
    }
    return total == 0 ? 1 : Double(hits) / Double(total)
}

func buildPair(
    count: Int, dimension: Int, metric: DistanceMetric, seed: UInt64, m: Int = 12, efConstruction: Int = 100
) throws -> (HNSWIndex<Int>, FlatIndex<Int>, [[Float]]) {
    let vectors = clusteredVectors(count: count, dimension: dimension, seed: seed)
    let hnsw = try HNSWIndex<Int>(
        configuration: .init(dimension: dimension, metric: metric, m: m, efConstruction: efConstruction, seed: seed))
    let flat = try FlatIndex<Int>(dimension: dimension, metric: metric)
    for (key, vector) in vectors.enumerated() {
        try hnsw.insert(vector, forKey: key)
        try flat.insert(vector, forKey: key)
    }
    return (hnsw, flat, vectors)
}
