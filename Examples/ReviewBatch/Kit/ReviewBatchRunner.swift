import BatchProcessing
import Foundation
import LLMCore
import LLMProviders
import Resilience
import Synchronization

/// How a batch run is shaped.
public struct BatchSettings: Sendable {
    /// Micro-batches in flight at once.
    public var concurrency = 20
    /// Reviews per request.
    public var batchSize = 20
    /// Attempts per request (a batch, then each review it did not answer) before dead-lettering.
    public var maxAttempts = 3
    /// The model name sent in requests, if the client serves several.
    public var modelName: String?
    /// Prices for the cost report (default gpt-4o-mini's list price).
    public var pricing = ModelPricing(input: 0.15, output: 0.60)
    /// Seeds the retry jitter.
    public var seed: UInt64 = 1

    /// The defaults: 20 batches of 20 in flight, 3 attempts.
    public init() {}
}

/// Stops a run gracefully: no new batches start, the running ones finish and are written.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A signal not yet raised.
    public init() {}

    /// Asks the run to stop.
    public func raise() { flag.store(true, ordering: .relaxed) }

    /// Whether a stop was asked for.
    public var isRaised: Bool { flag.load(ordering: .relaxed) }
}

/// Counters of a run in progress, and its final report.
public struct BatchProgress: Sendable {
    /// Input lines in the file (when counted).
    public var totalLines = 0
    /// Lines finished by earlier runs and skipped.
    public var alreadyDone = 0
    /// Reviews extracted in this run.
    public var extracted = 0
    /// Reviews recorded as duplicates of an earlier one.
    public var duplicates = 0
    /// Lines dead-lettered (malformed, or failed every attempt).
    public var deadLettered = 0
    /// Requests sent to the model.
    public var requests = 0
    /// Retries after failed requests.
    public var retries = 0
    /// Tokens used.
    public var usage = Usage.zero
    /// The exact cost at the configured prices.
    public var cost = Cost.zero
    /// Seconds since the run started.
    public var elapsedSeconds = 0.0
    /// Wall time of each micro-batch in milliseconds (for percentiles).
    public var batchMilliseconds: [Double] = []
    /// Whether the run stopped early on request.
    public var interrupted = false

    /// Lines done, in this run and before.
    public var done: Int { alreadyDone + extracted + duplicates + deadLettered }
    /// Lines finished per second in this run.
    public var linesPerSecond: Double { elapsedSeconds > 0 ? Double(extracted + duplicates + deadLettered) / elapsedSeconds : 0 }
}

/// The review-extraction pipeline: streaming read → dedupe by content hash → micro-batches on a
/// bounded pool → extraction under a JSON schema → per-item validation → items missing or invalid
/// retried alone → retries with backoff, jitter and Retry-After → dead letter with the reason;
/// results and dead letters are append-only files that double as the checkpoint, so a run killed
/// at any point resumes where it stopped, every input line ending up in exactly one of them.
public final class ReviewBatchRunner: Sendable {
    /// The extraction model.
    public let model: any ChatModel
    /// The run's shape.
    public let settings: BatchSettings
    /// Where `results.jsonl`, `deadletter.jsonl` and `results.csv` go.
    public let outputDirectory: String
    let dedupe: any DedupeStore
    private let retrier: Retrier
    private let progress = Locked(BatchProgress())
    private let crashAfterWrites: Int?
    /// Runs a provider batch job, polling on the runner's clock.
    private let runJob: @Sendable ([BatchRequest], any BatchSubmitting, Duration) async throws -> [String: Result<ChatResponse, LLMError>]

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - dedupe: Where duplicates are found; default: in this process.
    ///   - clock: Where backoff waits happen; inject a `ManualClock` in tests.
    public convenience init(
        model: any ChatModel, settings: BatchSettings = BatchSettings(), outputDirectory: String, dedupe: (any DedupeStore)? = nil,
        clock: some Clock<Duration> = ContinuousClock()
    ) throws {
        try self.init(model: model, settings: settings, outputDirectory: outputDirectory, dedupe: dedupe, clock: clock, crashAfterWrites: nil)
    }

    init(
        model: any ChatModel, settings: BatchSettings, outputDirectory: String, dedupe: (any DedupeStore)?,
        clock: some Clock<Duration>, crashAfterWrites: Int?
    ) throws {
        self.model = model
        self.settings = settings
        self.outputDirectory = outputDirectory
        self.dedupe = try dedupe ?? InMemoryDedupe()
        self.crashAfterWrites = crashAfterWrites
        runJob = { requests, provider, interval in
            try await provider.runBatch(requests, pollInterval: interval, clock: clock)
        }
        let counters = progress
        retrier = try Retrier(
            policy: RetryPolicy(maxAttempts: max(1, settings.maxAttempts), shouldRetry: { $0.isRetryable || $0.kind == .decoding }),
            clock: clock, random: SplitMix64(seed: settings.seed),
            onRetry: { _ in counters.withLock { $0.retries += 1 } })
    }

    /// The counters now.
    public var snapshot: BatchProgress { progress.withLock { $0 } }

    /// Processes `inputPath`, skipping what earlier runs in the same output directory finished.
    ///
    /// - Parameter onProgress: Called about once a second, and at the end.
    /// - Returns: The final counters.
    /// - Throws: When the input cannot be read or an output cannot be written (the run stops; what
    ///   is written stays valid, and running again resumes).
    public func run(
        inputPath: String, mode: Mode = .online, stop: StopSignal = StopSignal(), onProgress: @escaping @Sendable (BatchProgress) -> Void = { _ in }
    ) async throws -> BatchProgress {
        let started = ContinuousClock.now
        let local = dedupe as? InMemoryDedupe
        let done = try ReviewOutputs.recover(directory: outputDirectory) { hash, id in local?.preload(hash: hash, id: id) }
        let outputs = try ReviewOutputs(directory: outputDirectory, crashAfterWrites: crashAfterWrites)
        var total = 0
        for _ in try JSONLinesReader(path: inputPath) { total += 1 }
        progress.withLock {
            $0 = BatchProgress()
            $0.totalLines = total
            $0.alreadyDone = done.count
        }
        let failure = Locked<(any Error)?>(nil)
        let halt = StopSignal()
        let feeder = BatchFeeder(reader: try JSONLinesReader(path: inputPath), done: done, batchSize: max(1, settings.batchSize)) { [progress] id, line, reason in
            do {
                try outputs.writeDeadLetter(id: id, line: line, reason: reason, attempts: 0)
                progress.withLock { $0.deadLettered += 1 }
            } catch {
                failure.withLock { $0 = $0 ?? error }
                halt.raise()
            }
        }
        let ticker = Task { [progress] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                var snapshot = progress.withLock { $0 }
                snapshot.elapsedSeconds = Self.seconds(ContinuousClock.now - started)
                onProgress(snapshot)
            }
        }
        let keepGoing: @Sendable () -> Bool = { !stop.isRaised && !halt.isRaised }
        switch mode {
        case .online:
            await forEachConcurrently(feeder, limit: max(1, settings.concurrency), shouldContinue: keepGoing) { batch in
                do {
                    try await self.process(batch, into: outputs)
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                    halt.raise()
                }
            }
        case .batchAPI(let provider, let requestsPerJob, let pollInterval):
            let jobs = Chunks(base: feeder, size: max(1, requestsPerJob))
            await forEachConcurrently(jobs, limit: max(1, settings.concurrency), shouldContinue: keepGoing) { microBatches in
                do {
                    try await self.processJob(microBatches, provider: provider, pollInterval: pollInterval, into: outputs)
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                    halt.raise()
                }
            }
        }
        ticker.cancel()
        outputs.sync()
        if let error = failure.withLock({ $0 }) { throw error }
        var report = progress.withLock { $0 }
        report.elapsedSeconds = Self.seconds(ContinuousClock.now - started)
        report.interrupted = stop.isRaised && report.done < total
        if !report.interrupted { try writeCSV(from: outputs.resultsPath) }
        onProgress(report)
        return report
    }

    /// How requests reach the model.
    public enum Mode: Sendable {
        /// One call per micro-batch, as they come.
        case online
        /// Provider batch jobs (OpenAI's Batch API, Anthropic's Message Batches) of `requestsPerJob`
        /// micro-batches each, polled every `pollInterval`, at half price; reviews a job leaves out or
        /// gets wrong are then asked online, one by one.
        case batchAPI(any BatchSubmitting, requestsPerJob: Int, pollInterval: Duration)
    }

    /// One provider batch job: dedupe every micro-batch, submit them, wait, record, retry the rest online.
    private func processJob(
        _ microBatches: [[Review]], provider: any BatchSubmitting, pollInterval: Duration, into outputs: any ReviewSink
    ) async throws {
        var requests: [BatchRequest] = []
        var reviewsByID: [String: [Review]] = [:]
        for batch in microBatches {
            let unique = try await removeDuplicates(batch, into: outputs)
            guard let first = unique.first else { continue }
            let id = "line-\(first.line)"
            reviewsByID[id] = unique
            requests.append(BatchRequest(customID: id, request: ExtractionPrompt.request(for: unique, model: settings.modelName)))
        }
        guard !requests.isEmpty else { return }
        var pending: [(review: Review, reason: String)] = []
        let outcomes: [String: Result<ChatResponse, LLMError>]
        do {
            outcomes = try await runJob(requests, provider, pollInterval)
        } catch {
            let error = LLMError(error)
            // The job could not be submitted or watched: every review goes online instead.
            try await retryAlone(requests.flatMap { request in
                (reviewsByID[request.customID] ?? []).map { ($0, "the batch job failed: \(error.kind.rawValue): \(error.message)") }
            }, into: outputs)
            return
        }
        for request in requests {
            let reviews = reviewsByID[request.customID] ?? []
            switch outcomes[request.customID] {
            case .success(let response)?:
                count(response, discounted: true)
                do {
                    pending += try await record(try ExtractionPrompt.items(in: response.text), for: reviews, into: outputs)
                } catch let error as LLMError {
                    pending += reviews.map { ($0, "the batch answer was unusable: \(error.message)") }
                }
            case .failure(let error)?:
                pending += reviews.map { ($0, "the batch request failed: \(error.kind.rawValue): \(error.message)") }
            case nil:
                pending += reviews.map { ($0, "the batch returned nothing for it") }
            }
        }
        try await retryAlone(pending, into: outputs)
    }

    /// One micro-batch: dedupe, one request, validation, then each unanswered review alone.
    func process(_ batch: [Review], into outputs: any ReviewSink) async throws {
        let started = ContinuousClock.now
        let unique = try await removeDuplicates(batch, into: outputs)
        guard !unique.isEmpty else { return }
        var pending: [(review: Review, reason: String)]
        do {
            let items = try await retrier.run { _ throws(LLMError) in
                try ExtractionPrompt.items(in: try await self.call(ExtractionPrompt.request(for: unique, model: self.settings.modelName)))
            }
            pending = try await record(items, for: unique, into: outputs)
        } catch let error as LLMError {
            pending = unique.map { ($0, "the batch failed: \(error.kind.rawValue): \(error.message)") }
        }
        let milliseconds = Self.seconds(ContinuousClock.now - started) * 1_000
        progress.withLock { $0.batchMilliseconds.append(milliseconds) }
        try await retryAlone(pending, into: outputs)
    }

    /// Records the duplicates of `batch` and returns the reviews whose text is new.
    func removeDuplicates(_ batch: [Review], into outputs: any ReviewSink) async throws -> [Review] {
        var unique: [Review] = []
        for review in batch {
            let owner = try await dedupe.claim(hash: review.contentHash, id: review.id)
            if owner == review.id {
                unique.append(review)
            } else {
                try await outputs.duplicate(review, of: owner)
                progress.withLock { $0.duplicates += 1 }
            }
        }
        return unique
    }

    /// Writes the valid items of an answer and returns the reviews it left out or got wrong.
    func record(_ items: [String: JSONValue], for reviews: [Review], into outputs: any ReviewSink) async throws -> [(review: Review, reason: String)] {
        var pending: [(review: Review, reason: String)] = []
        for review in reviews {
            guard let item = items[review.id] else {
                pending.append((review, "missing from the batch answer"))
                continue
            }
            switch ReviewSchema.validate(item) {
            case .success(let extraction):
                try await outputs.result(extraction, review: review)
                progress.withLock { $0.extracted += 1 }
            case .failure(let problem):
                pending.append((review, "invalid in the batch answer: \(problem)"))
            }
        }
        return pending
    }

    /// Asks for each review alone (with retries); what still fails is dead-lettered with the reason.
    func retryAlone(_ pending: [(review: Review, reason: String)], into outputs: any ReviewSink) async throws {
        for (review, reason) in pending {
            do {
                let extraction = try await retrier.run { _ throws(LLMError) -> Extraction in
                    let items = try ExtractionPrompt.items(in: try await self.call(ExtractionPrompt.request(for: [review], model: self.settings.modelName)))
                    guard let item = items[review.id] else { throw LLMError(kind: .decoding, message: "the answer has no item for \(review.id)") }
                    switch ReviewSchema.validate(item) {
                    case .success(let extraction): return extraction
                    case .failure(let problem): throw LLMError(kind: .decoding, message: "invalid item: \(problem)")
                    }
                }
                try await outputs.result(extraction, review: review)
                progress.withLock { $0.extracted += 1 }
            } catch let error as LLMError {
                try await outputs.deadLetter(
                    id: review.id, line: review.line,
                    reason: "\(reason); alone, \(settings.maxAttempts) attempts: \(error.kind.rawValue): \(error.message)",
                    attempts: settings.maxAttempts)
                progress.withLock { $0.deadLettered += 1 }
            }
        }
    }

    /// One request to the model, counted and priced.
    private func call(_ request: ChatRequest) async throws(LLMError) -> String {
        let response = try await model.respond(to: request)
        count(response, discounted: false)
        return response.text
    }

    /// Counts a request's usage and cost (half price for a provider batch job).
    func count(_ response: ChatResponse, discounted: Bool) {
        var cost = settings.pricing.cost(of: response.usage)
        if discounted { cost = Cost(picodollars: cost.picodollars / 2) }
        progress.withLock {
            $0.requests += 1
            $0.usage += response.usage
            $0.cost += cost
        }
    }

    /// `results.csv`: one row per result, written beside `results.jsonl` and renamed into place.
    private func writeCSV(from resultsPath: String) throws {
        let csvPath = outputDirectory + "/results.csv"
        let temporary = csvPath + ".partial"
        if FileManager.default.fileExists(atPath: temporary) { try FileManager.default.removeItem(atPath: temporary) }
        let csv = try AppendOnlyLines(path: temporary)
        try csv.append("id,line,sentiment,topics,urgency,summary,duplicate_of")
        func field(_ value: String) -> String {
            let flat = value.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
            return flat.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + flat.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : flat
        }
        for line in try JSONLinesReader(path: resultsPath) {
            guard let text = line.text, let json = try? JSONValue(parsing: text) else { continue }
            let topics = json["topics"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ";") ?? ""
            let row = [
                json["id"]?.stringValue ?? "", json["line"]?.integerValue.map(String.init) ?? "", json["sentiment"]?.stringValue ?? "",
                topics, json["urgency"]?.integerValue.map(String.init) ?? "", json["summary"]?.stringValue ?? "",
                json["duplicate_of"]?.stringValue ?? "",
            ]
            try csv.append(row.map(field).joined(separator: ","))
        }
        csv.sync()
        if FileManager.default.fileExists(atPath: csvPath) { try FileManager.default.removeItem(atPath: csvPath) }
        try FileManager.default.moveItem(atPath: temporary, toPath: csvPath)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// A sequence cut into arrays of `size` elements (the last may be shorter).
struct Chunks<Base: Sequence>: Sequence {
    let base: Base
    let size: Int

    func makeIterator() -> AnyIterator<[Base.Element]> {
        var iterator = base.makeIterator()
        return AnyIterator {
            var chunk: [Base.Element] = []
            while chunk.count < size, let next = iterator.next() { chunk.append(next) }
            return chunk.isEmpty ? nil : chunk
        }
    }
}

/// Groups the input's reviews into micro-batches, skipping lines already done and reporting
/// malformed ones as it meets them.
struct BatchFeeder: Sequence {
    let reader: JSONLinesReader
    let done: LineSet
    let batchSize: Int
    let malformed: (String, Int, String) -> Void

    func makeIterator() -> AnyIterator<[Review]> {
        let lines = reader.makeIterator()
        return AnyIterator {
            var batch: [Review] = []
            while batch.count < batchSize, let line = lines.next() {
                guard !done.contains(line.number) else { continue }
                switch InputLine(line) {
                case .review(let review): batch.append(review)
                case .malformed(let id, let number, let reason): malformed(id, number, reason)
                }
            }
            return batch.isEmpty ? nil : batch
        }
    }
}
