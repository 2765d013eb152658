import HNSW
import Testing

@Suite("FlatIndex")
struct FlatIndexTests {
    @Test("search is exact: it matches a brute-force sort", arguments: DistanceMetric.allCases)
    func exact(metric: DistanceMetric) throws {
        let vectors = clusteredVectors(count: 300, dimension: 9, seed: 91)
        let index = try FlatIndex<Int>(dimension: 9, metric: metric)
        try index.insert(contentsOf: vectors.enumerated().map { (key: $0.offset, vector: $0.element) })
        for query in clusteredVectors(count: 10, dimension: 9, seed: 92) {
            let expected = vectors.indices
                .map { (key: $0, distance: metric.distance(between: query, and: vectors[$0])) }
                .sorted { ($0.distance, $0.key) < ($1.distance, $1.key) }
                .prefix(7)
            let found = try index.search(query, k: 7)
            #expect(found.map(\.key) == expected.map(\.key))
            for (got, want) in zip(found, expected) { #expect(abs(got.distance - want.distance) <= 1e-4 * max(1, abs(want.distance))) }
        }
    }

    @Test("remove, update and filter")
    func changes() throws {
        let index = try FlatIndex<String>(dimension: 2)
        try index.insert([0, 0], forKey: "origin")
        try index.insert([1, 0], forKey: "east")
        try index.insert([0, 5], forKey: "north")
        #expect(index.remove("origin"))
        #expect(!index.remove("origin"))
        #expect(try index.search([0, 0], k: 5).map(\.key) == ["east", "north"])
        try index.update([0, 0.5], forKey: "north")
        #expect(try index.search([0, 0], k: 1).map(\.key) == ["north"])
        #expect(try index.search([0, 0], k: 5) { $0 != "north" }.map(\.key) == ["east"])
        #expect(throws: VectorIndexError.duplicateKey("east")) { try index.insert([3, 3], forKey: "east") }
        #expect(throws: VectorIndexError.invalidArgument("k must be positive, got -1")) { try index.search([0, 0], k: -1) }
        #expect(index.count == 2)
    }
}
