import LLMTesting
import BM25
import Foundation
import Testing

@Suite("BM25Index")
struct BM25IndexTests {
    /// The formula, by hand, in Double.
    private func expectedScore(tf: Double, df: Double, n: Double, length: Double, average: Double, k1: Double = 1.2, b: Double = 0.75) -> Double {
        let idf = log(1 + (n - df + 0.5) / (df + 0.5))
        return idf * tf / (tf + k1 * (1 - b + b * length / average))
    }

    private let plain = StandardAnalyzer(stopwords: [], stems: false)

    @Test("document frequencies and counts per field, for corpus statistics")
    func documentFrequencies() throws {
        let index = try BM25Index<Int>(fields: [.init(name: "body"), .init(name: "title")])
        try index.add(["body": "red apples and green apples", "title": "apples"], forKey: 1)
        try index.add(["body": "green pears"], forKey: 2)
        try index.add(["body": "red wine"], forKey: 3)
        #expect(index.documentFrequency(of: "appl", field: "body") == 1, "a term counts once per document")
        #expect(index.documentFrequency(of: "green", field: "body") == 2 && index.documentFrequency(of: "red", field: "body") == 2)
        #expect(index.documentFrequency(of: "appl", field: "title") == 1 && index.documentFrequency(of: "pear", field: "title") == 0)
        #expect(index.documentCount(field: "body") == 3 && index.documentCount(field: "title") == 1)
        #expect(index.documentFrequency(of: "banana", field: "body") == 0 && index.documentFrequency(of: "appl", field: "nope") == 0)
        #expect(index.remove(2))
        #expect(index.documentFrequency(of: "green", field: "body") == 1 && index.documentCount(field: "body") == 2)
    }

    @Test("scores equal Lucene's BM25 formula on a small corpus")
    func handComputed() throws {
        let index = try BM25Index<Int>(analyzer: plain)
        try index.add("apple apple banana", forKey: 1)  // length 3
        try index.add("apple cherry", forKey: 2)  // length 2
        try index.add("banana cherry cherry date", forKey: 3)  // length 4
        try index.add("elderberry", forKey: 4)  // length 1
        let average = 10.0 / 4
        let results = try index.search("apple cherry", k: 10)
        let scores = Dictionary(uniqueKeysWithValues: results.map { ($0.key, Double($0.score)) })
        let apple1 = expectedScore(tf: 2, df: 2, n: 4, length: 3, average: average)
        let apple2 = expectedScore(tf: 1, df: 2, n: 4, length: 2, average: average)
        let cherry2 = expectedScore(tf: 1, df: 2, n: 4, length: 2, average: average)
        let cherry3 = expectedScore(tf: 2, df: 2, n: 4, length: 4, average: average)
        #expect(abs(scores[1]! - apple1) < 1e-6)
        #expect(abs(scores[2]! - (apple2 + cherry2)) < 1e-6)
        #expect(abs(scores[3]! - cherry3) < 1e-6)
        #expect(scores[4] == nil)
        #expect(results.map(\.key) == [2, 1, 3] || results.map(\.key) == [2, 3, 1])
        #expect(results.map(\.score) == results.map(\.score).sorted(by: >))
    }

    @Test("frequencies of 255 and more (kept beside the one-byte column) score exactly and survive save, load and rollback")
    func largeFrequencies() throws {
        let index = try BM25Index<Int>(analyzer: plain)
        let counts = [254, 255, 256, 1_000]
        try index.add(contentsOf: counts.enumerated().map { offset, count in
            (key: offset, fields: ["text": Array(repeating: "echo", count: count).joined(separator: " ") + " tail"], metadata: [String: String]())
        })
        try index.add("echo", forKey: 99)
        let average = Double(counts.reduce(0, +) + counts.count + 1) / 5
        func check(_ index: BM25Index<Int>) throws {
            let scores = Dictionary(uniqueKeysWithValues: try index.search("echo", k: 10).map { ($0.key, Double($0.score)) })
            for (offset, count) in counts.enumerated() {
                let expected = expectedScore(tf: Double(count), df: 5, n: 5, length: Double(count + 1), average: average)
                #expect(abs(scores[offset]! - expected) < 1e-6 * expected, "tf \(count)")
            }
        }
        try check(index)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bm25-large-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try index.save(to: url)
        try check(try BM25Index<Int>(contentsOf: url, analyzer: plain))
        // A failing batch after large frequencies rolls back without disturbing them.
        #expect(throws: BM25Error.self) {
            try index.add(contentsOf: [
                (key: 100, fields: ["text": Array(repeating: "echo", count: 600).joined(separator: " ")], metadata: [:]),
                (key: 101, fields: ["text": " ... "], metadata: [:]),
            ])
        }
        try check(index)
    }

    @Test("k1 and b are honoured, and field boosts multiply field scores")
    func parametersAndFields() throws {
        let index = try BM25Index<String>(analyzer: plain, k1: 2, b: 0.3, fields: [.init(name: "title", boost: 2), .init(name: "body")])
        try index.add(["title": "swift guide", "body": "learn swift and more"], forKey: "a")
        try index.add(["body": "a guide to rust"], forKey: "b")
        let results = try index.search("swift", k: 5)
        #expect(results.map(\.key) == ["a"])
        // Title: N = 1 document with a title, df 1, length 2, avg 2. Body: N 2, df 1, length 4, avg 4.
        let title = 2 * expectedScore(tf: 1, df: 1, n: 1, length: 2, average: 2, k1: 2, b: 0.3)
        let body = expectedScore(tf: 1, df: 1, n: 2, length: 4, average: 4, k1: 2, b: 0.3)
        #expect(abs(Double(results[0].score) - (title + body)) < 1e-6)
        #expect(throws: BM25Error.unknownField("summary")) { try index.add(["summary": "x"], forKey: "c") }
    }

    @Test("add, remove and update leave the index equal to one built from scratch")
    func incrementalEqualsRebuilt() throws {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let vocabulary = (0..<60).map { "w\($0)" }
        func document() -> String {
            (0..<Int.random(in: 3...20, using: &generator)).map { _ in
                vocabulary[min(Int(-log(Double.random(in: 0.0001...1, using: &generator)) * 12), 59)]
            }.joined(separator: " ")
        }
        var texts: [Int: String] = [:]
        let incremental = try BM25Index<Int>(analyzer: plain)
        for key in 0..<3_000 {
            let text = document()
            texts[key] = text
            try incremental.add(text, forKey: key)
        }
        for key in 0..<3_000 where key % 3 != 0 {  // two thirds: enough removals to trigger a compaction
            incremental.remove(key)
            texts[key] = nil
        }
        for key in stride(from: 0, to: 3_000, by: 7) where texts[key] != nil {
            let text = document()
            texts[key] = text
            try incremental.update(text, forKey: key)
        }
        let rebuilt = try BM25Index<Int>(analyzer: plain)
        for (key, text) in texts.sorted(by: { $0.key < $1.key }) { try rebuilt.add(text, forKey: key) }
        #expect(incremental.count == rebuilt.count)
        for query in ["w0", "w1 w2", "w5 w40 w59", "w3 w3 w7", "w58"] {
            let a = try incremental.search(query, k: 20)
            let b = try rebuilt.search(query, k: 20)
            #expect(a.count == b.count)
            let scoresA = Dictionary(uniqueKeysWithValues: a.map { ($0.key, $0.score) })
            for result in b {
                guard let score = scoresA[result.key] else {
                    // Only acceptable at a tie on the boundary.
                    #expect(result.score == b.last!.score)
                    continue
                }
                #expect(abs(score - result.score) <= 1e-5 * max(1, abs(score)))
            }
        }
    }

    @Test("pruned top-k equals exhaustive scoring")
    func pruningIsExact() throws {
        var generator = SeededRandomNumberGenerator(seed: 9)
        let index = try BM25Index<Int>(analyzer: plain)
        var documents: [[String]] = []
        for key in 0..<2_000 {
            let words = (0..<Int.random(in: 5...40, using: &generator)).map { _ in "t\(Int(pow(Double.random(in: 0...1, using: &generator), 3) * 300))" }
            documents.append(words)
            try index.add(words.joined(separator: " "), forKey: key)
        }
        let n = Double(documents.count)
        let average = Double(documents.reduce(0) { $0 + $1.count }) / n
        for query in [["t0", "t1"], ["t0", "t150", "t299"], ["t2", "t3", "t4", "t5", "t6"]] {
            var df: [String: Double] = [:]
            for term in query { df[term] = Double(documents.filter { $0.contains(term) }.count) }
            var exhaustive: [(key: Int, score: Double)] = []
            for (key, words) in documents.enumerated() {
                var score = 0.0
                for term in query {
                    let tf = Double(words.filter { $0 == term }.count)
                    if tf > 0 {
                        score += expectedScore(tf: tf, df: df[term]!, n: n, length: Double(words.count), average: average)
                    }
                }
                if score > 0 { exhaustive.append((key, score)) }
            }
            exhaustive.sort { $0.score > $1.score || ($0.score == $1.score && $0.key < $1.key) }
            let found = try index.search(query.joined(separator: " "), k: 10)
            for (got, want) in zip(found, exhaustive.prefix(10)) {
                #expect(abs(Double(got.score) - want.score) < 1e-4)
            }
            #expect(found.count == min(10, exhaustive.count))
        }
    }

    @Test("filters never leak and still fill the top k")
    func filters() throws {
        let index = try BM25Index<Int>(analyzer: plain)
        for key in 0..<500 {
            try index.add("common term \(key % 2 == 0 ? "even" : "odd")", forKey: key, metadata: ["parity": key % 2 == 0 ? "even" : "odd"])
        }
        let byMetadata = try index.search("common term", k: 20, metadata: ["parity": "odd"])
        #expect(byMetadata.count == 20)
        #expect(byMetadata.allSatisfy { $0.key % 2 == 1 })
        let byKey = try index.search("even", k: 50) { $0 < 40 }
        #expect(byKey.count == 20)
        #expect(byKey.allSatisfy { $0.key < 40 && $0.key % 2 == 0 })
        #expect(try index.search("common", k: 5, metadata: ["parity": "none"]).isEmpty)
    }

    @Test("bad input gets typed errors or documented empty results")
    func validation() throws {
        let index = try BM25Index<String>()
        #expect(throws: BM25Error.noTerms(key: "a")) { try index.add("", forKey: "a") }
        #expect(throws: BM25Error.noTerms(key: "a")) { try index.add("the and of", forKey: "a") }
        try index.add("hello world", forKey: "a")
        #expect(throws: BM25Error.duplicateKey("a")) { try index.add("again", forKey: "a") }
        #expect(throws: BM25Error.keyNotFound("b")) { try index.update("x y", forKey: "b") }
        #expect(throws: BM25Error.invalidArgument("k must be positive, got 0")) { try index.search("hello", k: 0) }
        #expect(try index.search("", k: 3).isEmpty)
        #expect(try index.search("the", k: 3).isEmpty)
        #expect(throws: BM25Error.self) { try BM25Index<Int>(k1: -1) }
        #expect(throws: BM25Error.self) { try BM25Index<Int>(b: 1.5) }
        #expect(throws: BM25Error.self) { try BM25Index<Int>(fields: []) }
        #expect(!index.remove("zzz"))
        #expect(index.remove("a"))
        #expect(try index.search("hello", k: 3).isEmpty)
    }

    @Test("a batch that fails in a later slice leaves the index exactly as it was")
    func failedBatchRollsBack() throws {
        let index = try BM25Index<Int>(analyzer: plain)
        for key in 0..<50 { try index.add("alpha beta w\(key % 5)", forKey: key) }
        let before = try index.search("alpha w1 fresh0", k: 20)
        // 5,000 documents span two analysis slices; the bad one is in the second.
        var batch = (50..<5_050).map { (key: $0, fields: ["text": "fresh\($0 % 9) alpha w\($0 % 5)"], metadata: [String: String]()) }
        batch[4_900].fields["text"] = "  ...  "
        #expect(throws: BM25Error.noTerms(key: "4950")) { try index.add(contentsOf: batch) }
        #expect(index.count == 50)
        #expect(index.vocabularySize() == 7)
        #expect(try index.search("alpha w1 fresh0", k: 20) == before)
        #expect(!index.contains(60))
        // The index still takes the corrected batch, with the same scores as a fresh build.
        batch[4_900].fields["text"] = "fresh1 alpha"
        try index.add(contentsOf: batch)
        let fresh = try BM25Index<Int>(analyzer: plain)
        for key in 0..<50 { try fresh.add("alpha beta w\(key % 5)", forKey: key) }
        try fresh.add(contentsOf: batch)
        #expect(try index.search("alpha w1 fresh0", k: 20) == fresh.search("alpha w1 fresh0", k: 20))
    }

    @Test("batch search equals one-by-one search")
    func batch() throws {
        let index = try BM25Index<Int>()
        for key in 0..<300 { try index.add("document \(key) about topic \(key % 7) and subject \(key % 11)", forKey: key) }
        let queries = (0..<40).map { "topic \($0 % 7) subject \($0 % 11)" }
        let batch = try index.search(queries, k: 5, threads: 2)
        for (query, results) in zip(queries, batch) { #expect(try index.search(query, k: 5) == results) }
    }
}
