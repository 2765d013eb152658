import LLMTesting
import Foundation
import HNSW
import Testing

@Suite("HNSWIndex")
struct HNSWIndexTests {
    @Test("recall@10 ≥ 0.98 against exact search at generous ef", arguments: DistanceMetric.allCases)
    func recallAgainstFlat(metric: DistanceMetric) throws {
        let (hnsw, flat, _) = try buildPair(count: 1_500, dimension: 24, metric: metric, seed: 11)
        let queries = clusteredVectors(count: 60, dimension: 24, seed: 12)
        let found = try queries.map { try hnsw.search($0, k: 10, ef: 120).map(\.key) }
        let expected = try queries.map { try flat.search($0, k: 10).map(\.key) }
        #expect(recall(found, expected) >= 0.98)
        // Distances are the metric's, and results come closest first.
        let first = try hnsw.search(queries[0], k: 10, ef: 120)
        #expect(first.map(\.distance) == first.map(\.distance).sorted())
        let exact = try flat.search(queries[0], k: 1)[0]
        #expect(abs(first[0].distance - exact.distance) <= 1e-4 * max(1, abs(exact.distance)))
    }

    @Test("a parallel batch build is as good as a serial one")
    func parallelBatchBuild() throws {
        let vectors = clusteredVectors(count: 1_500, dimension: 24, seed: 21)
        let hnsw = try HNSWIndex<Int>(configuration: .init(dimension: 24, m: 12, efConstruction: 100))
        try hnsw.insert(contentsOf: vectors.enumerated().map { (key: $0.offset, vector: $0.element) }, threads: 2)
        let flat = try FlatIndex<Int>(dimension: 24)
        try flat.insert(contentsOf: vectors.enumerated().map { (key: $0.offset, vector: $0.element) })
        let queries = clusteredVectors(count: 60, dimension: 24, seed: 22)
        let found = try queries.map { try hnsw.search($0, k: 10, ef: 120).map(\.key) }
        let expected = try queries.map { try flat.search($0, k: 10).map(\.key) }
        #expect(hnsw.count == 1_500)
        #expect(recall(found, expected) >= 0.98)
    }

    @Test("a serial build with the same seed is reproducible")
    func reproducible() throws {
        let (first, _, _) = try buildPair(count: 400, dimension: 16, metric: .l2, seed: 3)
        let (second, _, _) = try buildPair(count: 400, dimension: 16, metric: .l2, seed: 3)
        for query in clusteredVectors(count: 20, dimension: 16, seed: 4) {
            #expect(try first.search(query, k: 5, ef: 16) == second.search(query, k: 5, ef: 16))
        }
    }

    @Test("removed keys are never returned, and their slots are reused with fresh links")
    func removal() throws {
        let (hnsw, flat, vectors) = try buildPair(count: 800, dimension: 16, metric: .l2, seed: 31)
        var generator = SeededRandomNumberGenerator(seed: 32)
        let removed = Set((0..<800).shuffled(using: &generator).prefix(300))
        for key in removed.sorted() {  // A fixed order, so the reused slots (and the recall) are the same every run.
            #expect(hnsw.remove(key))
            #expect(flat.remove(key))
        }
        #expect(!hnsw.remove(removed.first!))
        #expect(hnsw.count == 500)
        #expect(!hnsw.contains(removed.first!))
        let queries = clusteredVectors(count: 50, dimension: 16, seed: 33)
        var found: [[Int]] = []
        for query in queries {
            let keys = try hnsw.search(query, k: 10, ef: 100).map(\.key)
            #expect(removed.isDisjoint(with: keys))
            found.append(keys)
        }
        // A removed vector itself is not found, even as its own query.
        for key in removed.prefix(20) {
            #expect(try !hnsw.search(vectors[key], k: 5).map(\.key).contains(key))
        }
        let expected = try queries.map { try flat.search($0, k: 10).map(\.key) }
        #expect(recall(found, expected) >= 0.95)

        // New keys reuse the removed slots and are found.
        let footprint = hnsw.memoryFootprint
        for (offset, vector) in clusteredVectors(count: 300, dimension: 16, seed: 34).enumerated() {
            try hnsw.insert(vector, forKey: 10_000 + offset)
            try flat.insert(vector, forKey: 10_000 + offset)
        }
        #expect(hnsw.memoryFootprint == footprint)
        let refound = try queries.map { try hnsw.search($0, k: 10, ef: 100).map(\.key) }
        #expect(recall(refound, try queries.map { try flat.search($0, k: 10).map(\.key) }) >= 0.95)
    }

    @Test("a filtered search returns only allowed keys and still finds them")
    func filteredSearch() throws {
        let (hnsw, flat, _) = try buildPair(count: 1_200, dimension: 16, metric: .cosine, seed: 41)
        let queries = clusteredVectors(count: 40, dimension: 16, seed: 42)
        for allowedEvery in [2, 10, 50] {
            let allowed: (Int) -> Bool = { $0 % allowedEvery == 0 }
            var found: [[Int]] = []
            for query in queries {
                let keys = try hnsw.search(query, k: 10, ef: 100, filter: allowed).map(\.key)
                #expect(keys.allSatisfy(allowed))
                #expect(keys.count == 10)
                found.append(keys)
            }
            let expected = try queries.map { try flat.search($0, k: 10, filter: allowed).map(\.key) }
            #expect(recall(found, expected) >= 0.95, "1 in \(allowedEvery) allowed")
        }
        // A filter nothing passes gives an empty result, not a hang.
        #expect(try hnsw.search(queries[0], k: 5) { _ in false }.isEmpty)
    }

    @Test("update replaces a key's vector")
    func update() throws {
        let (hnsw, _, vectors) = try buildPair(count: 500, dimension: 16, metric: .l2, seed: 51)
        let target = vectors[400]
        try hnsw.update(target, forKey: 7)
        let hits = try hnsw.search(target, k: 2)
        #expect(Set(hits.map(\.key)) == [7, 400])
        #expect(hits.allSatisfy { $0.distance < 1e-6 })
        #expect(hnsw.vector(forKey: 7) == target)
        #expect(hnsw.count == 500)
    }

    @Test("bad input gets typed errors, never a crash")
    func validation() throws {
        let index = try HNSWIndex<String>(configuration: .init(dimension: 3, metric: .cosine))
        #expect(try index.search([1, 2, 3], k: 3).isEmpty)
        #expect(throws: VectorIndexError.dimensionMismatch(expected: 3, actual: 2)) { try index.insert([1, 2], forKey: "a") }
        #expect(throws: VectorIndexError.nonFiniteComponent(index: 1)) { try index.insert([1, .nan, 3], forKey: "a") }
        #expect(throws: VectorIndexError.nonFiniteComponent(index: 2)) { try index.insert([1, 2, .infinity], forKey: "a") }
        #expect(throws: VectorIndexError.zeroVector) { try index.insert([0, 0, 0], forKey: "a") }
        try index.insert([1, 0, 0], forKey: "a")
        #expect(throws: VectorIndexError.duplicateKey("a")) { try index.insert([0, 1, 0], forKey: "a") }
        #expect(throws: VectorIndexError.keyNotFound("b")) { try index.update([0, 1, 0], forKey: "b") }
        #expect(throws: VectorIndexError.invalidArgument("k must be positive, got 0")) { try index.search([1, 0, 0], k: 0) }
        #expect(throws: VectorIndexError.self) { try index.search([1, 0, 0], k: 1, ef: -1) }
        #expect(throws: VectorIndexError.self) { try index.search([1, 0], k: 1) }
        #expect(throws: VectorIndexError.self) { try HNSWIndex<Int>(configuration: .init(dimension: 0)) }
        #expect(throws: VectorIndexError.self) { try HNSWIndex<Int>(configuration: .init(dimension: 4, m: 1)) }
        // A batch with one bad vector changes nothing.
        #expect(throws: VectorIndexError.nonFiniteComponent(index: 0)) {
            try index.insert(contentsOf: [(key: "x", vector: [1, 1, 1]), (key: "y", vector: [.nan, 1, 1])])
        }
        #expect(index.count == 1)
        #expect(try index.search([1, 0.1, 0], k: 10).map(\.key) == ["a"])
    }

    @Test("searches run safely alongside inserts")
    func concurrentReadersAndWriter() async throws {
        let vectors = clusteredVectors(count: 600, dimension: 16, seed: 61)
        let index = try HNSWIndex<Int>(configuration: .init(dimension: 16, m: 8, efConstruction: 60))
        for (key, vector) in vectors.prefix(100).enumerated() { try index.insert(vector, forKey: key) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for (key, vector) in vectors.enumerated().dropFirst(100) { try index.insert(vector, forKey: key) }
            }
            for reader in 0..<3 {
                group.addTask {
                    for query in clusteredVectors(count: 100, dimension: 16, seed: UInt64(70 + reader)) {
                        let results = try index.search(query, k: 5)
                        #expect(results.count == 5)
                        #expect(results.allSatisfy { (0..<600).contains($0.key) })
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(index.count == 600)
    }
}
