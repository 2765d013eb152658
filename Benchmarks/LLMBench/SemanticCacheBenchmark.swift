import Foundation
import LLMCache
import LLMCore
import LLMTesting

/// An embedder that returns stored vectors for texts named `row:<index>`: the benchmark measures
/// the cache, not a model.
private struct RowEmbedder: EmbeddingModel {
    let rows: [[Float]]
    var dimensions: Int { rows[0].count }

    func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        try texts.map { text throws(LLMError) in
            guard text.hasPrefix("row:"), let index = Int(text.dropFirst(4)), rows.indices.contains(index) else {
                throw LLMError(kind: .badRequest, message: "no vector for '\(text)'")
            }
            return rows[index]
        }
    }
}

/// `llm-bench semantic-cache --vectors base.fvecs --queries query.fvecs [--entries 10000,100000]
///  [--threshold 0.95] [--json]`
///
/// Lookup latency: fills a `SemanticCache` with `entries` vectors and times `lookup(_:)` (embedder
/// table lookup + HNSW search + bookkeeping) for every query, one at a time. Real all-MiniLM-L6-v2
/// vectors are used as they are; beyond the file's rows, further entries are synthesised as the
/// normalised mean of two random real rows plus a little noise (seeded), so the set keeps the
/// real vectors' clustered shape.
///
/// `llm-bench semantic-cache --paraphrase DIR [--json]`
///
/// Quality on the labelled Quora pairs in DIR (`pairs.jsonl` + `embeddings.fvecs`), thresholds
/// 0.80–0.98, two protocols: `pairwise` (each pair in its own partition: cache `a`, look up `b`) and
/// `shared` (every `a` in one cache; looking up `b` is right only if it returns `b`'s own
/// duplicate). precision = right hits / hits; recall = right hits / duplicate pairs.
func runSemanticCacheBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    if let directory = try arguments.string("paraphrase") {
        try runParaphraseQuality(directory: directory, json: json)
        return
    }
    guard let basePath = try arguments.string("vectors"), let queryPath = try arguments.string("queries") else {
        throw Arguments.Problem(description: "give --vectors and --queries (fvecs), or --paraphrase DIR")
    }
    let entryCounts = try arguments.ints("entries", default: [10_000, 100_000])
    guard let threshold = Double(try arguments.string("threshold") ?? "0.95") else {
        throw Arguments.Problem(description: "--threshold takes a number")
    }
    let base = try readFvecs(basePath).rows
    let queries = try readFvecs(queryPath).rows
    var report = Report(json: json)
    for entries in entryCounts {
        let rows = synthesise(from: base, count: entries)
        let embedder = RowEmbedder(rows: rows + queries)
        let cache = try SemanticCache<Int>(
            embedder: embedder, configuration: .init(similarityThreshold: threshold, maximumCount: entries))
        let buildStart = DispatchTime.now().uptimeNanoseconds
        try blockingAwait {
            for index in 0..<entries { try await cache.insert(index, for: "row:\(index)") }
        }
        let buildSeconds = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1e9
        let (latencies, hits) = try blockingAwait { () async throws -> ([Double], Int) in
            var latencies: [Double] = []
            var hits = 0
            for pass in 0..<2 {  // The first pass warms up; the second is measured.
                latencies = []
                hits = 0
                for query in 0..<queries.count {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let hit = try await cache.lookup("row:\(entries + query)")
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    if hit != nil { hits += 1 }
                }
                _ = pass
            }
            return (latencies.sorted(), hits)
        }
        report.add(Measurement(fields: [
            ("bench", .text("semantic-cache")), ("library", .text("ours")), ("entries", .integer(entries)),
            ("dimension", .integer(rows[0].count)), ("threshold", .number(threshold)),
            ("build_seconds", .number(buildSeconds)), ("lookups", .integer(latencies.count)),
            ("hit_ratio", .number(Double(hits) / Double(latencies.count))),
            ("p50_ms", .number(latencies[latencies.count / 2])), ("p99_ms", .number(latencies[latencies.count * 99 / 100])),
        ]))
    }
    report.printTable()
}

/// `count` vectors: the real rows first, then seeded blends of two real rows.
private func synthesise(from base: [[Float]], count: Int) -> [[Float]] {
    var rows = Array(base.prefix(count))
    var generator = SeededRandomNumberGenerator(seed: 42)
    while rows.count < count {
        let a = base[Int.random(in: 0..<base.count, using: &generator)]
        let b = base[Int.random(in: 0..<base.count, using: &generator)]
        var blend = zip(a, b).map { ($0 + $1) / 2 + Float.random(in: -0.02...0.02, using: &generator) }
        let norm = blend.reduce(0) { $0 + $1 * $1 }.squareRoot()
        blend = blend.map { $0 / norm }
        rows.append(blend)
    }
    return rows
}

private struct ParaphrasePair: Decodable {
    let is_duplicate: Bool
    let ia: Int
    let ib: Int
}

private func runParaphraseQuality(directory: String, json: Bool) throws {
    let rows = try readFvecs(directory + "/embeddings.fvecs").rows
    let text = try String(contentsOfFile: directory + "/pairs.jsonl", encoding: .utf8)
    let pairs = try text.split(separator: "\n").map { try JSONDecoder().decode(ParaphrasePair.self, from: Data($0.utf8)) }
    let duplicates = pairs.filter(\.is_duplicate).count
    let embedder = RowEmbedder(rows: rows)
    var report = Report(json: json)
    for threshold in [0.80, 0.85, 0.90, 0.95, 0.98] {
        for mode in ["pairwise", "shared"] {
            let cache = try SemanticCache<Int>(
                embedder: embedder, configuration: .init(similarityThreshold: threshold, maximumCount: 1_000_000))
            let (hits, right) = try blockingAwait { () async throws -> (Int, Int) in
                if mode == "shared" {
                    for a in Set(pairs.map(\.ia)) { try await cache.insert(a, for: "row:\(a)") }
                }
                var hits = 0
                var right = 0
                for (number, pair) in pairs.enumerated() {
                    let partition = mode == "pairwise" ? CacheKey(hashing: "pair \(number)") : SemanticCache<Int>.defaultPartition
                    if mode == "pairwise" { try await cache.insert(pair.ia, for: "row:\(pair.ia)", partition: partition) }
                    guard let hit = try await cache.lookup("row:\(pair.ib)", partition: partition) else { continue }
                    hits += 1
                    if pair.is_duplicate && hit.value == pair.ia { right += 1 }
                }
                return (hits, right)
            }
            report.add(Measurement(fields: [
                ("bench", .text("semantic-cache-quality")), ("library", .text("ours")), ("mode", .text(mode)),
                ("threshold", .number(threshold)), ("pairs", .integer(pairs.count)), ("hits", .integer(hits)),
                ("right_hits", .integer(right)), ("precision", .number(hits == 0 ? 0 : Double(right) / Double(hits))),
                ("recall", .number(Double(right) / Double(duplicates))),
            ]))
        }
    }
    report.printTable()
}
