import LLMTesting
import Foundation
import HNSW
import IndexFiles
import Testing

@Suite("HNSW persistence")
struct HNSWPersistenceTests {
    private func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hnsw-\(UUID().uuidString)-\(name).index")
    }

    private func savedIndex() throws -> (HNSWIndex<Int>, URL) {
        let (index, _, _) = try buildPair(count: 300, dimension: 12, metric: .cosine, seed: 81)
        for key in stride(from: 0, to: 300, by: 7) { index.remove(key) }
        let url = temporaryURL("index")
        try index.save(to: url)
        return (index, url)
    }

    @Test("save then load gives identical results")
    func roundTrip() throws {
        let (index, url) = try savedIndex()
        defer { try? FileManager.default.removeItem(at: url) }
        let loaded = try HNSWIndex<Int>(contentsOf: url)
        #expect(loaded.configuration == index.configuration)
        #expect(loaded.count == index.count)
        for query in clusteredVectors(count: 30, dimension: 12, seed: 82) {
            #expect(try loaded.search(query, k: 10) == index.search(query, k: 10))
        }
        // The loaded index keeps working: removed slots are reused, new keys are found.
        try loaded.insert([Float](repeating: 0.5, count: 12), forKey: 9_999)
        #expect(try loaded.search([Float](repeating: 0.5, count: 12), k: 1)[0].key == 9_999)
        #expect(!FileManager.default.fileExists(atPath: url.path + ".partial"))
    }

    @Test("an empty index round-trips")
    func emptyRoundTrip() throws {
        let index = try HNSWIndex<String>(configuration: .init(dimension: 4))
        let url = temporaryURL("empty")
        defer { try? FileManager.default.removeItem(at: url) }
        try index.save(to: url)
        let loaded = try HNSWIndex<String>(contentsOf: url)
        #expect(loaded.isEmpty)
        #expect(try loaded.search([1, 2, 3, 4], k: 3).isEmpty)
    }

    @Test("a truncated file is refused as truncated, at every length")
    func truncated() throws {
        let (_, url) = try savedIndex()
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = try Data(contentsOf: url)
        for length in [0, 7, 15, 16, 40, bytes.count / 2, bytes.count - 9, bytes.count - 1] {
            let cut = temporaryURL("cut")
            defer { try? FileManager.default.removeItem(at: cut) }
            try bytes.prefix(length).write(to: cut)
            #expect {
                try HNSWIndex<Int>(contentsOf: cut)
            } throws: { error in
                switch error as? VectorIndexError {
                case .file(.truncated)?: return true
                case .file(.wrongFormat)?: return length < 16
                default: return false
                }
            }
        }
    }

    @Test("a flipped byte anywhere in the data is caught by the checksum")
    func corrupted() throws {
        let (_, url) = try savedIndex()
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = try Data(contentsOf: url)
        var generator = SeededRandomNumberGenerator(seed: 83)
        for _ in 0..<20 {
            var damaged = bytes
            let position = Int.random(in: 200..<(bytes.count - 8), using: &generator)
            damaged[position] ^= 0x5A
            let url = temporaryURL("bad")
            defer { try? FileManager.default.removeItem(at: url) }
            try damaged.write(to: url)
            #expect {
                try HNSWIndex<Int>(contentsOf: url)
            } throws: { error in
                switch error as? VectorIndexError {
                case .file(.checksumMismatch)?, .file(.corrupt)?: return true
                default: return false
                }
            }
        }
    }

    @Test("wrong magic, version and key type are named")
    func wrongHeader() throws {
        let (_, url) = try savedIndex()
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = try Data(contentsOf: url)

        var notIndex = bytes
        notIndex[0] = UInt8(ascii: "X")
        let notIndexURL = temporaryURL("magic")
        defer { try? FileManager.default.removeItem(at: notIndexURL) }
        try notIndex.write(to: notIndexURL)
        #expect(throws: VectorIndexError.file(.wrongFormat)) { try HNSWIndex<Int>(contentsOf: notIndexURL) }

        var future = bytes
        future[8] = 2
        let futureURL = temporaryURL("version")
        defer { try? FileManager.default.removeItem(at: futureURL) }
        try future.write(to: futureURL)
        #expect(throws: VectorIndexError.file(.unsupportedVersion(found: 2, supported: 1))) { try HNSWIndex<Int>(contentsOf: futureURL) }

        #expect(throws: VectorIndexError.file(.keyTypeMismatch(expected: "String", found: "Int64"))) {
            try HNSWIndex<String>(contentsOf: url)
        }
        #expect(throws: VectorIndexError.self) {
            try HNSWIndex<Int>(contentsOf: temporaryURL("missing"))
        }
    }
}
