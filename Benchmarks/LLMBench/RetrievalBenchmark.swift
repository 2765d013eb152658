import BM25
import Foundation
import Retrieval

/// `llm-bench retrieval --corpus corpus.jsonl --queries queries.jsonl --qrels qrels.tsv [--dimensions 768]
///  [--candidates 100] [--json]`
///
/// Measures what hybrid retrieval gains over each index alone on a BEIR collection, using the
/// offline ``HashingEmbedder`` for the vector side: nDCG@10 and recall@100 per mode (keyword only,
/// vector only, reciprocal rank fusion, weighted fusion), and the single-thread queries per second
/// of each mode, embedding included.
func runRetrievalBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    guard let corpusPath = try arguments.string("corpus"), let queriesPath = try arguments.string("queries"),
        let qrelsPath = try arguments.string("qrels")
    else {
        throw Arguments.Problem(description: "--corpus, --queries and --qrels are required")
    }
    let dimensions = try arguments.int("dimensions", default: 768)
    let candidates = try arguments.int("candidates", default: 100)
    let dataset = try arguments.string("dataset") ?? URL(fileURLWithPath: corpusPath).deletingLastPathComponent().lastPathComponent

    let documents = try readJSONLines(corpusPath).map { object in
        RetrievalDocument(id: stringID(object["_id"]), text: object["text"] as? String ?? "", title: object["title"] as? String)
    }
    var judgments: [String: [String: Int]] = [:]
    for line in try String(contentsOfFile: qrelsPath, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst() {
        let fields = line.split(separator: "\t")
        guard fields.count >= 3, let grade = Int(fields[2]) else { continue }
        judgments[String(fields[0]), default: [:]][String(fields[1])] = grade
    }
    let queries = try readJSONLines(queriesPath)
        .map { (id: stringID($0["_id"]), text: $0["text"] as? String ?? "") }
        .filter { judgments[$0.id] != nil }

    let embedder = try HashingEmbedder(dimensions: dimensions)
    // BEIR indexes title and body as one text, so the title gets no boost here either.
    let retriever = try HybridRetriever(embedder: embedder, configuration: .init(titleBoost: 1))
    let start = now()
    try blockingAwait { try await retriever.add(documents.filter { !$0.text.allSatisfy(\.isWhitespace) }) }
    let buildSeconds = now() - start

    let modes: [(String, RetrievalOptions)] = [
        ("keyword", .init(limit: 100, candidates: candidates, usesVectors: false)),
        ("vector", .init(limit: 100, candidates: candidates, usesKeywords: false)),
        ("hybrid-rrf", .init(limit: 100, candidates: candidates, fusion: .reciprocalRank())),
        ("hybrid-weighted", .init(limit: 100, candidates: candidates, fusion: .weighted(vectorWeight: 0.3))),
    ]
    var report = Report(json: json)
    for (mode, options) in modes {
        var ndcg = 0.0
        var recall = 0.0
        let passStart = now()
        for query in queries {
            let ranked = try blockingAwait { try await retriever.retrieve(query.text, options: options) }.map(\.document.id)
            let grades = judgments[query.id] ?? [:]
            ndcg += Evaluation.ndcg(ranked, grades: grades, depth: 10)
            let relevant = grades.filter { $0.value > 0 }.keys
            recall += Double(relevant.filter(Set(ranked).contains).count) / Double(max(1, relevant.count))
        }
        let seconds = now() - passStart
        report.add(Measurement(fields: [
            ("bench", .text("retrieval")), ("library", .text("ours")), ("dataset", .text(dataset)), ("mode", .text(mode)),
            ("dimensions", .integer(dimensions)), ("build_seconds", .number(buildSeconds)),
            ("ndcg_at_10", .number(ndcg / Double(queries.count))), ("recall_at_100", .number(recall / Double(queries.count))),
            ("qps", .number(Double(queries.count) / seconds)),
        ]))
    }
    report.printTable()
}

/// Runs async work to completion from synchronous benchmark code.
func blockingAwait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task {
        do { result = .success(try await work()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try result!.get()
}
