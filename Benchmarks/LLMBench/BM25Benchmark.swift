import LLMTesting
import BM25
import Foundation

/// `llm-bench bm25 --corpus corpus.jsonl --queries queries.jsonl [--qrels qrels.tsv] [--stem] [--k1 1.2] [--b 0.75]
///  [--dataset NAME] [--repeat R] [--dump-tokens DIR] [--dump-results FILE] [--json]`
///
/// BEIR layout: corpus lines `{"_id","title","text"}` (title and text are indexed together, as
/// BEIR does), query lines `{"_id","text"}`, qrels `query-id corpus-id score` with a header.
/// Reports build time, memory, single-thread top-10 latency (p50, p99) and QPS, and with qrels
/// MAP (over the top 1,000) and nDCG@10 with trec_eval's linear gains, over the judged queries.
/// `--dump-tokens DIR` writes the analysed tokens so the peers index exactly the same terms;
/// `--dump-results FILE` writes every query's top 10 as `query-id<TAB>doc-id<TAB>score`.
func runBM25Benchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let stem = arguments.flag("stem")
    guard let corpusPath = try arguments.string("corpus"), let queriesPath = try arguments.string("queries") else {
        throw Arguments.Problem(description: "--corpus and --queries are required")
    }
    let qrelsPath = try arguments.string("qrels")
    let k1 = Float(try arguments.string("k1") ?? "1.2") ?? 1.2
    let b = Float(try arguments.string("b") ?? "0.75") ?? 0.75
    let repeats = try arguments.int("repeat", default: 3)
    let dataset = try arguments.string("dataset") ?? URL(fileURLWithPath: corpusPath).deletingLastPathComponent().lastPathComponent
    let tokenDirectory = try arguments.string("dump-tokens")
    let resultsPath = try arguments.string("dump-results")

    let corpus = try readJSONLines(corpusPath).map { object -> (id: String, text: String) in
        let title = object["title"] as? String ?? ""
        let text = object["text"] as? String ?? ""
        return (stringID(object["_id"]), title.isEmpty ? text : title + " " + text)
    }
    var queries = try readJSONLines(queriesPath).map { (id: stringID($0["_id"]), text: $0["text"] as? String ?? "") }
    var judgments: [String: [String: Int]] = [:]
    if let qrelsPath {
        for line in try String(contentsOfFile: qrelsPath, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: "\t")
            guard fields.count >= 3, let grade = Int(fields[2]) else { continue }
            judgments[String(fields[0]), default: [:]][String(fields[1])] = grade
        }
        queries = queries.filter { judgments[$0.id] != nil }
    }

    let analyzer = StandardAnalyzer(stems: stem)
    if let tokenDirectory {
        try FileManager.default.createDirectory(atPath: tokenDirectory, withIntermediateDirectories: true)
        try writeTokens(corpus.map { ($0.id, analyzer.terms(in: $0.text)) }, to: tokenDirectory + "/corpus_tokens.jsonl")
        try writeTokens(queries.map { ($0.id, analyzer.terms(in: $0.text)) }, to: tokenDirectory + "/queries_tokens.jsonl")
    }

    // The input is prepared outside the measured window (documents with no terms would be
    // refused, as in the peers); the index's own analysis of the text is measured.
    let documents = corpus.compactMap { document in
        analyzer.terms(in: document.text).isEmpty
            ? nil : (key: document.id, fields: [BM25Index<String>.defaultFieldName: document.text], metadata: [String: String]())
    }
    releaseFreedMemory()
    let residentBefore = residentBytes()
    let heapBefore = liveHeapBytes()
    let start = now()
    let index = try BM25Index<String>(analyzer: analyzer, k1: k1, b: b)
    try index.add(contentsOf: documents)
    let buildSeconds = now() - start
    // Memory the index holds: the growth of the live C heap where glibc can tell it (the resident
    // set also moves with freed pages the allocator keeps or returns), else of the resident set.
    releaseFreedMemory()
    let residentGrowth = residentBytes() - residentBefore
    let memoryBytes = liveHeapBytes().flatMap { after in heapBefore.map { after - $0 } } ?? residentGrowth
    // The input must outlive the measurement: freed inside the window, it would hide the index.
    withExtendedLifetime(documents) {}

    var latencies: [Double] = []
    var bestQPS = 0.0
    for _ in 0..<max(1, repeats) {
        var pass: [Double] = []
        let passStart = now()
        for query in queries {
            let started = now()
            _ = try index.search(query.text, k: 10)
            pass.append(now() - started)
        }
        let qps = Double(queries.count) / (now() - passStart)
        if qps > bestQPS {
            bestQPS = qps
            latencies = pass
        }
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] * 1000 }

    var fields: [(String, Measurement.Value)] = [
        ("bench", .text("bm25")), ("library", .text("ours")), ("dataset", .text(dataset)), ("stem", .text(stem ? "yes" : "no")),
        ("documents", .integer(index.count)), ("queries", .integer(queries.count)),
        ("build_seconds", .number(buildSeconds)), ("qps", .number(bestQPS)), ("p50_ms", .number(percentile(0.5))),
        ("p99_ms", .number(percentile(0.99))), ("memory_bytes", .integer(memoryBytes)), ("rss_growth_bytes", .integer(residentGrowth)), ("index_bytes", .integer(index.memoryFootprint)),
    ]
    if !judgments.isEmpty || resultsPath != nil {
        var averagePrecision = 0.0
        var ndcg = 0.0
        var lines: [String] = []
        for query in queries {
            let ranked = try index.search(query.text, k: 1_000)
            for result in ranked.prefix(10) { lines.append("\(query.id)\t\(result.key)\t\(result.score)") }
            guard let grades = judgments[query.id] else { continue }
            averagePrecision += Evaluation.averagePrecision(ranked.map(\.key), grades: grades)
            ndcg += Evaluation.ndcg(ranked.map(\.key), grades: grades, depth: 10)
        }
        if let resultsPath { try lines.joined(separator: "\n").write(toFile: resultsPath, atomically: true, encoding: .utf8) }
        if !judgments.isEmpty {
            fields.append(("map", .number(averagePrecision / Double(queries.count))))
            fields.append(("ndcg_at_10", .number(ndcg / Double(queries.count))))
        }
    }
    var report = Report(json: json)
    report.add(Measurement(fields: fields))
    report.printTable()
}

/// trec_eval's measures: AP over the ranking (relevant = grade > 0), nDCG with linear gains.
enum Evaluation {
    static func averagePrecision(_ ranking: [String], grades: [String: Int]) -> Double {
        let relevant = grades.values.filter { $0 > 0 }.count
        guard relevant > 0 else { return 0 }
        var found = 0
        var sum = 0.0
        for (rank, key) in ranking.enumerated() where (grades[key] ?? 0) > 0 {
            found += 1
            sum += Double(found) / Double(rank + 1)
        }
        return sum / Double(relevant)
    }

    static func ndcg(_ ranking: [String], grades: [String: Int], depth: Int) -> Double {
        func dcg(_ gains: [Int]) -> Double {
            gains.prefix(depth).enumerated().reduce(0.0) { $0 + Double(max($1.element, 0)) / log2(Double($1.offset + 2)) }
        }
        let ideal = dcg(grades.values.sorted(by: >))
        return ideal == 0 ? 0 : dcg(ranking.map { grades[$0] ?? 0 }) / ideal
    }
}

/// `llm-bench zipf-corpus --docs 100000 --vocabulary 100000 --mean-length 100 --queries 1000 [--seed 1] --out DIR`
/// writes a seeded synthetic corpus in BEIR layout whose word frequencies follow Zipf's law
/// (exponent 1), with queries of 2–5 words drawn the same way, so many queries hit common terms.
func runZipfCorpus(_ arguments: inout Arguments) throws {
    let documents = try arguments.int("docs", default: 100_000)
    let vocabulary = try arguments.int("vocabulary", default: 100_000)
    let meanLength = try arguments.int("mean-length", default: 100)
    let queryCount = try arguments.int("queries", default: 1_000)
    var generator = SeededRandomNumberGenerator(seed: UInt64(try arguments.int("seed", default: 1)))
    guard let directory = try arguments.string("out") else { throw Arguments.Problem(description: "--out DIR is required") }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

    var cumulative = [Double](repeating: 0, count: vocabulary)
    var total = 0.0
    for rank in 0..<vocabulary {
        total += 1 / Double(rank + 1)
        cumulative[rank] = total
    }
    func word() -> String {
        let target = Double(generator.next() >> 11) / Double(1 << 53) * total
        var low = 0
        var high = vocabulary - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        var rank = low
        var letters = ""
        repeat {
            letters.append(Character(Unicode.Scalar(UInt8(97 + rank % 26))))
            rank /= 26
        } while rank > 0
        return "z" + letters  // a leading letter no stopword starts with, so nothing is dropped
    }
    var corpus = ""
    for id in 0..<documents {
        let length = max(5, meanLength / 2 + Int(generator.next() % UInt64(meanLength)))
        let text = (0..<length).map { _ in word() }.joined(separator: " ")
        corpus += "{\"_id\": \"d\(id)\", \"title\": \"\", \"text\": \"\(text)\"}\n"
    }
    try corpus.write(toFile: directory + "/corpus.jsonl", atomically: true, encoding: .utf8)
    var queries = ""
    for id in 0..<queryCount {
        let text = (0..<(2 + Int(generator.next() % 4))).map { _ in word() }.joined(separator: " ")
        queries += "{\"_id\": \"q\(id)\", \"text\": \"\(text)\"}\n"
    }
    try queries.write(toFile: directory + "/queries.jsonl", atomically: true, encoding: .utf8)
    print("wrote \(documents) documents and \(queryCount) queries to \(directory)")
}

func readJSONLines(_ path: String) throws -> [[String: Any]] {
    try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw Arguments.Problem(description: "\(path): a line is not a JSON object")
        }
        return object
    }
}

func stringID(_ value: Any?) -> String {
    if let string = value as? String { return string }
    if let number = value as? NSNumber { return number.stringValue }
    return ""
}

private func writeTokens(_ rows: [(String, [String])], to path: String) throws {
    var text = ""
    for (id, tokens) in rows {
        let data = try JSONSerialization.data(withJSONObject: ["_id": id, "tokens": tokens])
        text += String(decoding: data, as: UTF8.self) + "\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
