import Foundation
import HNSW

/// `llm-bench vectors --count N --dim D [--clusters C] [--seed S] [--metric l2|cosine|ip] --out DIR`
/// writes `base.fvecs`, `query.fvecs` and exact `groundtruth.ivecs` (top 100) for a seeded clustered set.
func runVectorGenerator(_ arguments: inout Arguments) throws {
    let count = try arguments.int("count", default: 100_000)
    let dimension = try arguments.int("dim", default: 128)
    let clusters = try arguments.int("clusters", default: 100)
    let seed = try arguments.int("seed", default: 1)
    let metric = try DistanceMetric(benchmarkName: arguments.string("metric") ?? "l2")
    guard let directory = try arguments.string("out") else { throw Arguments.Problem(description: "--out DIR is required") }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var generator = SyntheticVectors(seed: UInt64(seed))
    let (base, queries, _) = generator.make(count: count, dimension: dimension, clusters: clusters)
    try writeFvecs(directory + "/base.fvecs", rows: base)
    try writeFvecs(directory + "/query.fvecs", rows: queries)
    let truth = try exactNeighbors(base: base, queries: queries, metric: metric, k: 100)
    try writeVecs(directory + "/groundtruth.ivecs", rows: truth.map { $0.map(UInt32.init) })
    print("wrote \(count) × \(dimension) base, \(queries.count) queries and \(metric) ground truth to \(directory)")
}

/// `llm-bench hnsw --base F --query F [--groundtruth F] --metric l2|cosine|ip --m 16 --ef-construction 200
///  --ef 16,32,64,128,256 [--threads N] [--limit N] [--repeat R] [--dataset NAME] [--persist DIR] [--json]`
///
/// With `--persist DIR` it also saves the index there, loads it back, checks the loaded index
/// answers like the original, and reports `save_seconds`, `load_seconds` and `file_bytes`.
func runHNSWBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    guard let basePath = try arguments.string("base"), let queryPath = try arguments.string("query") else {
        throw Arguments.Problem(description: "--base and --query are required")
    }
    let truthPath = try arguments.string("groundtruth")
    let metric = try DistanceMetric(benchmarkName: arguments.string("metric") ?? "l2")
    let m = try arguments.int("m", default: 16)
    let efConstruction = try arguments.int("ef-construction", default: 200)
    let efs = try arguments.ints("ef", default: [16, 32, 64, 128, 256])
    let threads = try arguments.int("threads", default: 1)
    let limit = try arguments.int("limit", default: 0)
    let repeats = try arguments.int("repeat", default: 3)
    let persistDirectory = try arguments.string("persist")
    let dataset = try arguments.string("dataset") ?? URL(fileURLWithPath: basePath).deletingLastPathComponent().lastPathComponent

    let base = try loadVectors(basePath, limit: limit > 0 ? limit : nil)
    let queries = try loadVectors(queryPath, limit: nil)
    let k = 10
    var truth: [[Int]]
    if let truthPath, limit == 0 {
        truth = try readIvecs(truthPath).map { Array($0.prefix(k)) }
    } else {
        truth = try exactNeighbors(base: base.rows, queries: queries.rows, metric: metric, k: k)
    }
    truth = Array(truth.prefix(queries.rows.count))

    let residentBefore = residentBytes()
    let index = try HNSWIndex<Int>(
        configuration: .init(dimension: base.dimension, metric: metric, m: m, efConstruction: efConstruction))
    let start = now()
    index.reserveCapacity(base.rows.count)  // as hnswlib's max_elements, FAISS and USearch do
    if threads == 1 {
        for (key, vector) in base.rows.enumerated() { try index.insert(vector, forKey: key) }
    } else {
        try index.insert(contentsOf: base.rows.enumerated().map { (key: $0.offset, vector: $0.element) }, threads: threads)
    }
    let buildSeconds = now() - start
    let memoryBytes = residentBytes() - residentBefore

    var persistence: [(String, Measurement.Value)] = []
    if let persistDirectory {
        let url = URL(fileURLWithPath: persistDirectory).appendingPathComponent("\(dataset).hnsw")
        let saveStart = now()
        try index.save(to: url)
        let saveSeconds = now() - saveStart
        let loadStart = now()
        let loaded = try HNSWIndex<Int>(contentsOf: url)
        let loadSeconds = now() - loadStart
        for query in queries.rows.prefix(100) where try loaded.search(query, k: k) != index.search(query, k: k) {
            throw Arguments.Problem(description: "the loaded index answers differently from the saved one")
        }
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        try? FileManager.default.removeItem(at: url)
        persistence = [
            ("save_seconds", .number(saveSeconds)), ("load_seconds", .number(loadSeconds)), ("file_bytes", .integer(fileBytes)),
        ]
    }

    var report = Report(json: json)
    for ef in efs {
        var best = 0.0
        var hits = 0
        for pass in 0..<max(1, repeats) {
            var found = 0
            let started = now()
            for (query, expected) in zip(queries.rows, truth) {
                let results = try index.search(query, k: k, ef: ef)
                if pass == 0 {
                    let expectedSet = Set(expected)
                    found += results.filter { expectedSet.contains($0.key) }.count
                }
            }
            best = max(best, Double(queries.rows.count) / (now() - started))
            if pass == 0 { hits = found }
        }
        report.add(Measurement(fields: [
            ("bench", .text("hnsw")), ("library", .text("ours")), ("dataset", .text(dataset)),
            ("metric", .text(metric.rawValue)), ("n", .integer(base.rows.count)), ("dim", .integer(base.dimension)),
            ("m", .integer(m)), ("ef_construction", .integer(efConstruction)), ("ef", .integer(ef)),
            ("threads", .integer(threads)),
            ("recall_at_10", .number(Double(hits) / Double(truth.count * k))), ("qps", .number(best)),
            ("build_seconds", .number(buildSeconds)), ("memory_bytes", .integer(memoryBytes)),
            ("index_bytes", .integer(index.memoryFootprint)),
        ] + persistence))
    }
    report.printTable()
}

private func loadVectors(_ path: String, limit: Int?) throws -> VectorSet {
    if path.hasSuffix(".tsv") {
        var set = try readTSV(path, dropLastColumn: true)
        if let limit { set.rows = Array(set.rows.prefix(limit)) }
        return set
    }
    return try readFvecs(path, limit: limit)
}

/// Exact top-k by `FlatIndex`, using all cores.
func exactNeighbors(base: [[Float]], queries: [[Float]], metric: DistanceMetric, k: Int) throws -> [[Int]] {
    let flat = try FlatIndex<Int>(dimension: base[0].count, metric: metric)
    try flat.insert(contentsOf: base.enumerated().map { (key: $0.offset, vector: $0.element) })
    let results = UnsafeMutableBufferPointer<[Int]>.allocate(capacity: queries.count)
    results.initialize(repeating: [])
    defer { results.deallocate() }
    nonisolated(unsafe) let shared = results  // each iteration writes only its own element
    DispatchQueue.concurrentPerform(iterations: queries.count) { index in
        shared[index] = (try? flat.search(queries[index], k: k).map(\.key)) ?? []
    }
    return Array(results)
}

extension DistanceMetric {
    init(benchmarkName: String) throws {
        switch benchmarkName {
        case "l2": self = .l2
        case "cosine", "cos": self = .cosine
        case "ip", "dot": self = .innerProduct
        default: throw Arguments.Problem(description: "--metric must be l2, cosine or ip, got \(benchmarkName)")
        }
    }
}
