// ModerationPipeline: tiered, fail-safe content moderation.
//
//   ModerationPipeline train    --data DIR --output MODEL          (DIR/train.jsonl only)
//   ModerationPipeline evaluate --data DIR --model MODEL [--ethos FILE]
//   ModerationPipeline run      --input POSTS.jsonl --model MODEL --output DIR [--concurrency 16]
//   ModerationPipeline review   --queue DIR/review-queue.jsonl --output DIR [--approve ID,…] [--reject ID,…]
//
// Texts are never printed, except by `review` to the person reviewing. Offline, tier 2 is a second,
// stricter local classifier (MODEL.tier2); with OPENAI_API_KEY / OPENAI_BASE_URL (MODERATION_MODEL,
// default gpt-4o-mini) it is that model behind a timeout, a circuit breaker and retries.

import BatchProcessing
import Foundation
import LLMCore
import LLMProviders
import ModerationPipelineKit
import Resilience
import TextClassification

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ModerationPipeline: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, ["train", "evaluate", "run", "review"].contains(command) else {
    fail("usage: ModerationPipeline train|evaluate|run|review [options] (see the comment at the top of main.swift or the README)")
}
arguments.removeFirst()
var parsed: [String: String] = [:]
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard flag.hasPrefix("--"), !arguments.isEmpty else { fail("expected --option value, got \(flag)") }
    parsed[String(flag.dropFirst(2))] = arguments.removeFirst()
}
let options = parsed
func option(_ name: String) -> String {
    guard let value = options[name] else { fail("\(command) needs --\(name)") }
    return value
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
}

func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

/// The tier-1 metrics on `posts` (labelled), text never shown.
func report(_ name: String, _ model: ModerationModel, _ posts: [LabelledPost], texts: [String]? = nil) -> String {
    let texts = texts ?? posts.map(\.text)
    let scores = texts.map { model.classifier.score($0) }
    let labels = posts.map { $0.harmful ?? false }
    let metrics = BinaryMetrics(scores: scores, labels: labels, threshold: model.holdFrom)
    let atHalf = BinaryMetrics(scores: scores, labels: labels, threshold: 0.5)
    let uncertain = scores.filter { model.verdict(for: $0) == .uncertain }.count
    return """
        \(name) (\(posts.count) posts, \(labels.filter { $0 }.count) harmful):
          ROC AUC \(format(metrics.rocAUC)) · macro-F1 at 0.5 \(format(atHalf.macroF1)) · macro-F1 at the hold threshold \(format(metrics.macroF1))
          harmful: precision \(format(atHalf.positive.precision)) recall \(format(atHalf.positive.recall)) (at 0.5) · \
        \(format(metrics.positive.precision)) / \(format(metrics.positive.recall)) (held)
          safe:    precision \(format(atHalf.negative.precision)) recall \(format(atHalf.negative.recall)) (at 0.5) · \
        \(format(metrics.negative.precision)) / \(format(metrics.negative.recall)) (not held)
          false-positive rate at the hold threshold \(format(metrics.falsePositiveRate * 100, 2))% · routed to tier 2: \(format(Double(uncertain) * 100 / Double(max(1, posts.count)), 1))%
        """
}

do {
switch command {
case "train":
    let data = option("data"), output = option("output")
    let posts = try LabelledPost.read(data + "/train.jsonl")
    let started = Date()
    let tier1 = try ModerationModel.train(posts)
    try tier1.save(to: output)
    let tier2 = try ModerationModel.train(
        posts, features: HashedFeatures(bits: 20, characterNGrams: 2...6), holdFalsePositiveRate: 0.005, publishFalseNegativeRate: 0.01, seed: 2)
    try tier2.save(to: output + ".tier2")
    let raw = try ModerationModel.train(posts, normalizer: TextNormalizer(rules: []))
    try raw.save(to: output + ".raw")
    print("trained on \(posts.count) posts in \(format(Date().timeIntervalSince(started), 1)) s: tier 1 \(output) (publish below \(format(tier1.publishBelow)), hold from \(format(tier1.holdFrom))), tier 2 \(output).tier2, and \(output).raw (no normalization, for comparison)")

case "evaluate":
    let data = option("data"), path = option("model")
    let model = try ModerationModel(contentsOf: path)
    let test = try LabelledPost.read(data + "/test.jsonl")
    // Tier-1 speed on one core: normalize + featurize + score, one post at a time.
    var latencies: [Double] = []
    let started = ContinuousClock.now
    for post in test {
        let one = ContinuousClock.now
        _ = model.classifier.score(post.text)
        let elapsed = ContinuousClock.now - one
        latencies.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    let total = ContinuousClock.now - started
    let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
    print("tier 1 speed: \(format(Double(test.count) / seconds, 0)) posts/s on one core · p50 \(format(percentile(latencies, 0.5), 1)) µs · p99 \(format(percentile(latencies, 0.99), 1)) µs")
    print(report("Davidson test split", model, test))
    let obfuscator = Obfuscator()
    let obfuscated = test.enumerated().map { obfuscator.obfuscate($0.element.text, seed: UInt64($0.offset)) }
    print(report("Obfuscated test split, with normalization", model, test, texts: obfuscated))
    if let raw = try? ModerationModel(contentsOf: path + ".raw") {
        print(report("Obfuscated test split, without normalization (a model trained on raw text)", raw, test, texts: obfuscated))
        print(report("Clean test split, without normalization", raw, test))
    }
    if let ethos = options["ethos"] {
        print(report("ETHOS (out of distribution)", model, try LabelledPost.read(ethos)))
    }

case "run":
    let input = option("input"), path = option("model"), output = option("output")
    let tier1 = try ModerationModel(contentsOf: path)
    let environment = ProcessInfo.processInfo.environment
    let tier2: any ChatModel
    if !(environment["OPENAI_API_KEY"] ?? "").isEmpty || !(environment["OPENAI_BASE_URL"] ?? "").isEmpty {
        let breaker = try CircuitBreaker(name: "tier2", configuration: .init(slidingWindow: .time(.seconds(30), buckets: 10), minimumCalls: 5, openDuration: .fixed(.seconds(15)), halfOpenProbes: 1))
        var configuration = OpenAIConfiguration.fromEnvironment()
        configuration.defaultModel = environment["MODERATION_MODEL"] ?? "gpt-4o-mini"
        tier2 = OpenAIClient(configuration: configuration)
            .timeout(try Timeout(limit: .seconds(2)))
            .circuitBreaking(breaker)
            .retrying(try Retrier(policy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(100))))
    } else {
        tier2 = SecondLocalModel(model: try ModerationModel(contentsOf: path + ".tier2"))
    }
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let queue = try AppendOnlyLines(path: output + "/review-queue.jsonl")
    let decisions = try AppendOnlyLines(path: output + "/decisions.jsonl")
    let pipeline = ModerationPipeline(tier1: tier1, tier2: tier2, reviewQueue: queue)
    let posts = try LabelledPost.read(input)
    let records = Locked<[ModerationRecord]>([])
    let started = Date()
    await forEachConcurrently(posts, limit: Int(options["concurrency"] ?? "16") ?? 16) { post in
        let record = await pipeline.moderate(post)
        if let line = try? JSONEncoder().encode(record) { try? decisions.append(String(decoding: line, as: UTF8.self)) }
        records.withLock { $0.append(record) }
    }
    let all = records.withLock { $0 }
    let elapsed = Date().timeIntervalSince(started)
    print("moderated \(all.count) posts in \(format(elapsed, 2)) s (\(format(Double(all.count) / elapsed, 0)) posts/s)")
    for tier in 1...3 {
        let share = Double(all.filter { $0.tier == tier }.count) * 100 / Double(max(1, all.count))
        print("decided by tier \(tier): \(format(share, 1))%")
    }
    print("tier 1 latency: p50 \(format(percentile(all.map(\.tier1Microseconds), 0.5), 1)) µs · p99 \(format(percentile(all.map(\.tier1Microseconds), 0.99), 1)) µs")
    let tier2Latencies = all.compactMap(\.tier2Milliseconds)
    if !tier2Latencies.isEmpty {
        print("tier 2 latency: p50 \(format(percentile(tier2Latencies, 0.5), 2)) ms · p99 \(format(percentile(tier2Latencies, 0.99), 2)) ms")
    }
    let labelled = all.filter { $0.harmful != nil }
    if !labelled.isEmpty {
        let safe = labelled.filter { $0.harmful == false }, harmful = labelled.filter { $0.harmful == true }
        let falsePositives = safe.filter { $0.decision == .hold }.count
        let falseNegatives = harmful.filter { $0.decision == .publish }.count
        print("against labels: \(format(Double(falsePositives) * 100 / Double(max(1, safe.count)), 2))% of safe posts held (false positives), \(format(Double(falseNegatives) * 100 / Double(max(1, harmful.count)), 2))% of harmful posts published (false negatives), \(all.filter { $0.decision == .review }.count) sent to people")
    }
    print("decisions: \(output)/decisions.jsonl · review queue: \(output)/review-queue.jsonl")

case "review":
    let queuePath = option("queue"), output = option("output")
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let approve = Set((options["approve"] ?? "").split(separator: ",").map(String.init))
    let reject = Set((options["reject"] ?? "").split(separator: ",").map(String.init))
    // A decision is two lines: the training row, then the decision (the checkpoint). A run killed
    // between them is completed here, so each reviewed post has exactly one of each.
    let additionsPath = output + "/training-additions.jsonl", decidedPath = output + "/review-decisions.jsonl"
    var done = Set<String>(), labelled: [String: String] = [:]
    for path in [decidedPath, additionsPath] {
        try AppendOnlyLines.recover(path: path) { line in
            if line.text?.allSatisfy(\.isWhitespace) == true { return }
            guard let text = line.text, let json = try? JSONValue(parsing: text), let id = json["id"]?.stringValue,
                path == decidedPath || json["label"]?.stringValue != nil
            else { throw BatchFileError.damagedLine(path: path, line: line.number, reason: "not a review record") }
            if path == decidedPath { done.insert(id) } else { labelled[id] = json["label"]?.stringValue }
        }
    }
    let additions = try AppendOnlyLines(path: additionsPath)
    let decided = try AppendOnlyLines(path: decidedPath)
    func decide(_ id: String, _ verdict: String) throws {
        try decided.append(try (["id": .string(id), "decision": .string(verdict == "safe" ? "publish" : "hold")] as JSONValue).serialized())
        done.insert(id)
    }
    for (id, verdict) in labelled.sorted(by: { $0.key < $1.key }) where !done.contains(id) { try decide(id, verdict) }
    var count = 0, damaged: [Int] = []
    for line in try JSONLinesReader(path: queuePath) where line.text?.allSatisfy(\.isWhitespace) != true {
        guard let text = line.text, let item = try? JSONValue(parsing: text), let id = item["id"]?.stringValue else {
            damaged.append(line.number)
            continue
        }
        guard !done.contains(id) else { continue }
        var verdict: String?
        if approve.contains(id) { verdict = "safe" } else if reject.contains(id) { verdict = "harmful" } else if approve.isEmpty && reject.isEmpty {
            print("\n[\(id)] tier 1 score \(item["tier1_score"]?.doubleValue.map { format($0) } ?? "-"), flags \(item["flags"]?.arrayValue?.compactMap(\.stringValue) ?? [])")
            print(item["text"]?.stringValue ?? "")
            print("approve (a) / reject (r) / skip (s)? ", terminator: "")
            switch readLine()?.lowercased() {
            case "a"?: verdict = "safe"
            case "r"?: verdict = "harmful"
            default: verdict = nil
            }
        }
        guard let verdict else { continue }
        try additions.append(try (["id": .string(id), "text": item["text"] ?? "", "label": .string(verdict)] as JSONValue).serialized())
        try decide(id, verdict)
        count += 1
    }
    if !damaged.isEmpty {
        FileHandle.standardError.write(Data("warning: \(damaged.count) damaged line(s) of \(queuePath) could not be reviewed: lines \(damaged.prefix(20).map(String.init).joined(separator: ", "))\n".utf8))
    }
    print("recorded \(count) decisions; new training rows in \(output)/training-additions.jsonl")

default:
    break
}
} catch {
    fail("\(error)")
}
