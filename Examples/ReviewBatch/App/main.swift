// ReviewBatch: extract sentiment, topics, urgency and a summary from reviews, with nothing lost.
//
//   swift run -c release ReviewBatch generate --count 100000 --output reviews.jsonl
//   swift run -c release ReviewBatch run --input reviews.jsonl --output out/
//
// `run` options: --concurrency 20, --batch 20, --attempts 3, --latency-ms 0 and --failure-rate 0
// (the offline model's simulation), --seed 1, --redis HOST:PORT (share dedupe through Redis),
// --mode batch-api (OpenAI Batch API / Anthropic Message Batches at half price; --requests-per-job
// 1000, --poll-seconds 60).
//
// Several workers on several machines (Redis Streams):
//   ReviewBatch enqueue --redis HOST:PORT --job NAME --input reviews.jsonl
//   ReviewBatch worker  --redis HOST:PORT --job NAME [--consumer NAME] [run options]   (on each machine)
//   ReviewBatch export  --redis HOST:PORT --job NAME --output DIR
//
// Offline by default; with OPENAI_API_KEY / OPENAI_BASE_URL (REVIEWBATCH_MODEL, default
// gpt-4o-mini) or ANTHROPIC_API_KEY it calls a real model. Ctrl-C finishes the batches in flight
// and prints how to resume; running the same command again resumes.

import Foundation
import LLMCache
import LLMCore
import LLMProviders
import ReviewBatchKit

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ReviewBatch: \(message)\n".utf8))
    exit(1)
}

func err(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, ["generate", "run", "enqueue", "worker", "export"].contains(command) else {
    fail("usage: ReviewBatch generate --count N --output FILE [--seed S] | run --input FILE --output DIR [options] | enqueue|worker|export --redis HOST:PORT --job NAME …")
}
arguments.removeFirst()
var options: [String: String] = [:]
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard flag.hasPrefix("--"), !arguments.isEmpty else { fail("expected --option value, got \(flag)") }
    options[String(flag.dropFirst(2))] = arguments.removeFirst()
}
let parsedOptions = options
func integer(_ name: String, _ fallback: Int) -> Int {
    let options = parsedOptions
    guard let text = options[name] else { return fallback }
    guard let value = Int(text) else { fail("--\(name) needs an integer, got \(text)") }
    return value
}

if command == "generate" {
    guard let output = options["output"] else { fail("generate needs --output FILE") }
    let count = integer("count", 10_000)
    let tally = try SyntheticReviews.write(count: count, seed: UInt64(integer("seed", 1)), to: output)
    print("wrote \(count) reviews to \(output) (\(tally.duplicates) duplicates, \(tally.hostile) hostile, \(tally.malformed) malformed lines)")
    exit(0)
}

var redisClient: RedisClient?
if let redis = options["redis"] {
    let parts = redis.split(separator: ":")
    guard parts.count == 2, let port = Int(parts[1]) else { fail("--redis needs HOST:PORT, got \(redis)") }
    redisClient = RedisClient(RedisConfiguration(host: String(parts[0]), port: port, commandTimeout: .seconds(10)))
}
if command == "enqueue" || command == "export" {
    guard let client = redisClient, let name = options["job"] else { fail("\(command) needs --redis HOST:PORT and --job NAME") }
    let job = RedisJob(client: client, name: name)
    Task {
        do {
            if command == "enqueue" {
                guard let input = options["input"] else { fail("enqueue needs --input FILE") }
                print("enqueued \(try await job.enqueue(inputPath: input)) lines into job \(name)")
            } else {
                guard let output = options["output"] else { fail("export needs --output DIR") }
                let counts = try await job.export(to: output)
                print("exported \(counts.results) results and \(counts.deadLetters) dead letters to \(output)")
            }
        } catch {
            fail("\(error)")
        }
        exit(0)
    }
    dispatchMain()
}
let input = options["input"] ?? ""
let output = options["output"] ?? ""
if command == "run", input.isEmpty || output.isEmpty { fail("run needs --input FILE and --output DIR") }
var settings = BatchSettings()
settings.concurrency = integer("concurrency", 20)
settings.batchSize = integer("batch", 20)
settings.maxAttempts = integer("attempts", 3)
settings.seed = UInt64(integer("seed", 1))
let environment = ProcessInfo.processInfo.environment
let model: any ChatModel
var batchProvider: (any BatchSubmitting)?
if !(environment["OPENAI_API_KEY"] ?? "").isEmpty || !(environment["OPENAI_BASE_URL"] ?? "").isEmpty {
    let client = OpenAIClient(configuration: .fromEnvironment())
    model = client
    batchProvider = client
    settings.modelName = environment["REVIEWBATCH_MODEL"] ?? "gpt-4o-mini"
    err("model: \(settings.modelName!) (OpenAI-compatible)")
} else if !(environment["ANTHROPIC_API_KEY"] ?? "").isEmpty {
    let client = AnthropicClient(configuration: .fromEnvironment())
    model = client
    batchProvider = client
    settings.modelName = environment["REVIEWBATCH_MODEL"] ?? "claude-3-5-haiku-latest"
    settings.pricing = ModelPricing(input: 0.80, output: 4)
    err("model: \(settings.modelName!) (Anthropic)")
} else {
    let failureRate = Double(options["failure-rate"] ?? "0") ?? 0
    model = LexiconExtractor(latency: .milliseconds(integer("latency-ms", 0)), failureRate: failureRate, seed: settings.seed)
    err("model: offline lexicon extractor (latency \(integer("latency-ms", 0)) ms, failure rate \(failureRate))")
}
let dedupe: (any DedupeStore)? = redisClient.map { RedisDedupe(client: $0) }
var mode = ReviewBatchRunner.Mode.online
if options["mode"] == "batch-api" {
    guard let batchProvider else { fail("--mode batch-api needs a provider with a batch API: set OPENAI_API_KEY or ANTHROPIC_API_KEY") }
    mode = .batchAPI(batchProvider, requestsPerJob: integer("requests-per-job", 1_000), pollInterval: .seconds(Int64(integer("poll-seconds", 60))))
    err("mode: provider batch jobs of \(integer("requests-per-job", 1_000)) requests, polled every \(integer("poll-seconds", 60)) s (half price)")
} else if let other = options["mode"], other != "online" {
    fail("--mode is online or batch-api, not \(other)")
}

let stop = StopSignal()
signal(SIGINT, SIG_IGN)
let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
nonisolated(unsafe) var interrupts = 0
interrupt.setEventHandler {
    interrupts += 1
    if interrupts > 1 { exit(130) }
    err("\ninterrupted: finishing the batches in flight (Ctrl-C again to quit at once)…")
    stop.raise()
}
interrupt.resume()

let isTerminal = isatty(STDERR_FILENO) == 1

/// The most resident memory the process has used, in megabytes.
func peakMemoryMegabytes() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss / 1024  // kilobytes on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss / (1024 * 1024)  // bytes on Apple platforms
    #endif
}
@Sendable func describe(_ progress: BatchProgress) -> String {
    let remaining = progress.totalLines - progress.done
    let eta = progress.linesPerSecond > 0 ? Int(Double(remaining) / progress.linesPerSecond) : 0
    return String(
        format: "%d/%d done · %.0f/s · ETA %dm%02ds · %d retries · %d dead-lettered · %d duplicates · cost %@",
        progress.done, progress.totalLines, progress.linesPerSecond, eta / 60, eta % 60, progress.retries, progress.deadLettered,
        progress.duplicates, progress.cost.description)
}
nonisolated(unsafe) var lastLog = Date.distantPast
let runner = try ReviewBatchRunner(model: model, settings: settings, outputDirectory: output, dedupe: dedupe)
if command == "worker" {
    guard let client = redisClient, let name = options["job"] else { fail("worker needs --redis HOST:PORT and --job NAME") }
    let consumer = options["consumer"] ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    let worker = RedisWorker(job: RedisJob(client: client, name: name), consumer: consumer, runner: runner)
    Task {
        do {
            let count = try await worker.run(stop: stop)
            print("worker \(consumer) finished \(count) entries; the job is \(stop.isRaised ? "not finished (stopped)" : "done")")
            exit(0)
        } catch {
            fail("\(error) — unacknowledged entries go to another worker after the claim timeout")
        }
    }
    dispatchMain()
}
Task {
    do {
        let report = try await runner.run(inputPath: input, mode: mode, stop: stop) { progress in
            if isTerminal {
                err("\r\u{1B}[K" + describe(progress), terminator: "")
            } else if Date().timeIntervalSince(lastLog) >= 10 {
                lastLog = Date()
                err(describe(progress))
            }
        }
        if isTerminal { err("") }
        let sorted = report.batchMilliseconds.sorted()
        func percentile(_ fraction: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))] }
        let batchPrice = Cost(picodollars: report.cost.picodollars / 2)
        print("""
            lines: \(report.totalLines) (\(report.alreadyDone) done before this run)
            extracted: \(report.extracted) · duplicates: \(report.duplicates) · dead-lettered: \(report.deadLettered)
            requests: \(report.requests) · retries: \(report.retries)
            wall time: \(String(format: "%.1f", report.elapsedSeconds)) s · throughput: \(String(format: "%.0f", report.linesPerSecond)) reviews/s \
            (\(String(format: "%.1f", report.linesPerSecond * 86_400 / 1_000_000)) M/day)
            per batch: p50 \(String(format: "%.0f", percentile(0.5))) ms · p99 \(String(format: "%.0f", percentile(0.99))) ms
            tokens: \(report.usage.inputTokens) in, \(report.usage.outputTokens) out
            cost at \(settings.pricing.inputPerMillionTokens)/\(settings.pricing.outputPerMillionTokens) per million tokens: \(report.cost) (batch API price: \(batchPrice))
            peak memory: \(peakMemoryMegabytes()) MB
            outputs: \(output)/results.jsonl, \(output)/deadletter.jsonl\(report.interrupted ? "" : ", \(output)/results.csv")
            """)
        if report.interrupted {
            print("stopped early; to resume, run the same command again:\n  ReviewBatch run --input \(input) --output \(output)")
        }
        exit(0)
    } catch {
        fail("\(error) — what was written is valid; run the same command again to resume")
    }
}
dispatchMain()
