import BM25
import Foundation
import IndexFiles
import Testing

@Suite("BM25 persistence")
struct BM25PersistenceTests {
    private func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bm25-\(UUID().uuidString).index")
    }

    private func sampleIndex() throws -> BM25Index<String> {
        let index = try BM25Index<String>(fields: [.init(name: "title", boost: 2), .init(name: "body")])
        for number in 0..<200 {
            try index.add(
                ["title": "Article \(number) about \(number % 5 == 0 ? "swift" : "rust")",
                 "body": "Body text number \(number) discussing compilers, memory and \(number % 3 == 0 ? "safety" : "speed")"],
                forKey: "doc-\(number)", metadata: ["bucket": "\(number % 4)"])
        }
        for number in stride(from: 0, to: 200, by: 9) { index.remove("doc-\(number)") }
        return index
    }

    @Test("save then load answers every query identically")
    func roundTrip() throws {
        let index = try sampleIndex()
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try index.save(to: url)
        let loaded = try BM25Index<String>(contentsOf: url)
        #expect(loaded.count == index.count)
        for query in ["swift", "rust safety", "compilers memory speed", "article 17"] {
            #expect(try loaded.search(query, k: 10) == index.search(query, k: 10))
            #expect(try loaded.search(query, k: 10, metadata: ["bucket": "1"]) == index.search(query, k: 10, metadata: ["bucket": "1"]))
        }
        try loaded.add(["body": "brand new swift text"], forKey: "new")
        #expect(try loaded.search("brand", k: 1).first?.key == "new")
    }

    @Test("truncated, corrupted and foreign files are refused with the right error")
    func badFiles() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try sampleIndex().save(to: url)
        let bytes = try Data(contentsOf: url)
        let damaged = temporaryURL()
        defer { try? FileManager.default.removeItem(at: damaged) }

        try bytes.prefix(bytes.count - 30).write(to: damaged)
        #expect {
            try BM25Index<String>(contentsOf: damaged)
        } throws: { error in
            if case .file(.truncated) = error as? BM25Error { return true }
            return false
        }

        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        try flipped.write(to: damaged)
        #expect(throws: BM25Error.file(.checksumMismatch)) { try BM25Index<String>(contentsOf: damaged) }

        try Data("not an index at all, just some text".utf8).write(to: damaged)
        #expect(throws: BM25Error.file(.wrongFormat)) { try BM25Index<String>(contentsOf: damaged) }

        #expect(throws: BM25Error.self) { try BM25Index<Int>(contentsOf: url) }
        #expect {
            try BM25Index<String>(contentsOf: url, analyzer: StandardAnalyzer(stems: false))
        } throws: { error in
            if case .analyzerMismatch = error as? BM25Error { return true }
            return false
        }
    }
}
