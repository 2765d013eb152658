import BatchProcessing
import Foundation
import LLMCore
import LLMProviders
import LLMTesting
import Synchronization
import Testing

@testable import ReviewBatchKit

private func directory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("reviewbatch-\(UUID().uuidString)").path
}

private func writeInput(_ lines: [String]) throws -> String {
    let path = directory() + ".jsonl"
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Every output line's input line number, from both files.
private func outputLines(_ directory: String) throws -> [Int] {
    var lines: [Int] = []
    for name in ["results.jsonl", "deadletter.jsonl"] {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else { continue }
        for line in try JSONLinesReader(path: path) {
            let json = try JSONValue(parsing: line.text!)
            lines.append(Int(json["line"]!.integerValue!))
        }
    }
    return lines
}

private func records(_ path: String) throws -> [JSONValue] {
    try JSONLinesReader(path: path).map { try JSONValue(parsing: $0.text!) }
}

/// A model that answers with the lexicon extractor, through a hook that may change the answer.
private func model(_ edit: @escaping @Sendable (_ call: Int, _ reviews: [String], _ answer: JSONValue) -> JSONValue) -> ScriptedChatModel {
    let calls = Atomic<Int>(0)
    return ScriptedChatModel([.handler { request throws(LLMError) in
        let call = calls.add(1, ordering: .relaxed).oldValue
        let reviews = ExtractionPrompt.reviews(in: request)
        let items: [JSONValue] = reviews.map { LexiconExtractor.extract(id: $0.id, text: $0.text) }
        let answer = edit(call, reviews.map(\.id), ["results": .array(items)])
        return ChatResponse(message: .assistant(try! answer.serialized()), finishReason: .stop, usage: Usage(inputTokens: 100, outputTokens: 50), model: "m")
    }], whenExhausted: .repeatLast)
}

@Suite("ReviewBatch: schema validation and input")
struct ReviewSchemaTests {
    private let validItem: JSONValue = ["id": "r1", "sentiment": "positive", "topics": ["delivery"], "urgency": 2, "summary": "Fast."]

    private func reasons(_ change: (inout JSONObject) -> Void) -> String {
        guard case .object(var object) = validItem else { return "" }
        change(&object)
        if case .failure(let failure) = ReviewSchema.validate(.object(object)) { return failure.description }
        return "valid"
    }

    @Test("a valid item passes")
    func validPasses() {
        #expect(reasons { _ in } == "valid")
    }

    @Test("each invalid field is rejected with a reason that names it")
    func invalidFields() {
        #expect(reasons { $0["sentiment"] = "happy" }.contains("sentiment 'happy' is not one of"))
        #expect(reasons { $0["sentiment"] = 3 }.contains("'sentiment' is an integer, not a string"))
        #expect(reasons { $0["topics"] = ["food"] }.contains("topic 'food' is not in the taxonomy"))
        #expect(reasons { $0["topics"] = "delivery" }.contains("'topics' is a string, not an array"))
        #expect(reasons { $0["topics"] = [1] }.contains("a topic is an integer, not a string"))
        #expect(reasons { $0["urgency"] = 9 }.contains("urgency 9 is outside 1–5"))
        #expect(reasons { $0["urgency"] = 2.5 }.contains("urgency 2.5 is not an integer"))
        #expect(reasons { $0["urgency"] = "3" }.contains("'urgency' is a string, not an integer"))
        #expect(reasons { $0["summary"] = .string(String(repeating: "é", count: 201)) }.contains("summary is 201 characters"))
        #expect(reasons { $0["summary"] = nil }.contains("missing field 'summary'"))
        #expect(reasons { $0["id"] = nil }.contains("missing field 'id'"))
        let notObject: JSONValue = ["not", "an", "object"]
        guard case .failure(let failure) = ReviewSchema.validate(notObject) else {
            Issue.record("an array is not an item")
            return
        }
        #expect(failure.reasons == ["the item is not a JSON object"])
    }

    @Test("input lines: ids as strings or integers; malformed lines get a reason and a line id")
    func inputLines() throws {
        let path = try writeInput([
            #"{"id": 42, "text": "fine"}"#, #"{"id": "a", "text": "   "}"#, #"{"text": "no id"}"#, "not json", #"[1, 2]"#,
            #"{"id": "b", "text": "ok", "stars": 5}"#,
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let parsed = try JSONLinesReader(path: path).map(InputLine.init)
        guard case .review(let first) = parsed[0], case .review(let last) = parsed[5] else {
            Issue.record("expected reviews")
            return
        }
        #expect(first.id == "42" && last.id == "b" && last.line == 6)
        let problems = parsed[1...4].compactMap { if case .malformed(let id, _, let reason) = $0 { "\(id): \(reason)" } else { nil } }
        #expect(problems.count == 4)
        #expect(problems[0].hasPrefix("a: no \"text\""))
        #expect(problems[1].hasPrefix("line:3: no usable \"id\""))
        #expect(problems[2].hasPrefix("line:4: not JSON"))
        #expect(problems[3].hasPrefix("line:5: not a JSON object"))
    }
}

@Suite("ReviewBatch: the pipeline")
struct ReviewBatchPipelineTests {
    private func input(_ count: Int, duplicateEvery: Int = 0) throws -> String {
        try writeInput((1...count).map { index in
            let text = duplicateEvery > 0 && index % duplicateEvery == 0 ? "Same text, great delivery." : "Review \(index): the kettle broke, refund please."
            return #"{"id": "r\#(index)", "text": "\#(text)"}"#
        })
    }

    @Test("duplicates are recorded against the first review with that text and never sent to the model")
    func dedupe() async throws {
        let path = try input(100, duplicateEvery: 10)
        let output = directory()
        let sent = Mutex<[String]>([])
        let counting = model { _, ids, answer in
            sent.withLock { $0 += ids }
            return answer
        }
        let report = try await ReviewBatchRunner(model: counting, settings: BatchSettings(), outputDirectory: output).run(inputPath: path)
        #expect(report.extracted == 91 && report.duplicates == 9)
        #expect(sent.withLock { $0.count } == 91)
        let duplicates = try records(output + "/results.jsonl").filter { $0["duplicate_of"] != nil }
        #expect(duplicates.count == 9 && Set(duplicates.compactMap { $0["duplicate_of"]?.stringValue }).count == 1)
        #expect(try outputLines(output).sorted() == Array(1...100))
    }

    @Test("items missing from a batch answer are retried alone and end up extracted")
    func partialAnswers() async throws {
        let path = try input(60)
        let output = directory()
        let partial = model { _, _, answer in
            // Every full batch answer leaves out its first five reviews.
            guard case .array(var items)? = answer["results"], items.count == 20 else { return answer }
            items.removeFirst(5)
            return ["results": .array(items)]
        }
        var settings = BatchSettings()
        settings.concurrency = 1
        let report = try await ReviewBatchRunner(model: partial, settings: settings, outputDirectory: output).run(inputPath: path)
        #expect(report.extracted == 60 && report.deadLettered == 0)
        #expect(report.requests == 3 + 15, "three batches, then the 15 missing reviews one by one")
    }

    @Test("a review that keeps getting invalid answers is dead-lettered after three attempts, with the reason")
    func deadLetter() async throws {
        let path = try input(20)
        let output = directory()
        let stubborn = model { _, _, answer in
            guard case .array(let items)? = answer["results"] else { return answer }
            return ["results": .array(items.map { item in
                guard item["id"] == "r7", case .object(var object) = item else { return item }
                object["urgency"] = 9
                return .object(object)
            })]
        }
        let report = try await ReviewBatchRunner(model: stubborn, outputDirectory: output, clock: ManualClockThatNeverWaits()).run(inputPath: path)
        #expect(report.extracted == 19 && report.deadLettered == 1)
        let letter = try #require(try records(output + "/deadletter.jsonl").first)
        #expect(letter["id"] == "r7" && letter["attempts"] == 3)
        #expect(letter["reason"]?.stringValue?.contains("urgency 9 is outside 1–5") == true)
        #expect(report.retries == 2)
        let csv = try String(contentsOfFile: output + "/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 20 && csv[0] == "id,line,sentiment,topics,urgency,summary,duplicate_of")
    }

    @Test("a 429's Retry-After is waited out on the clock before the retry")
    func retryAfter() async throws {
        let path = try input(5)
        let output = directory()
        let clock = ManualClock()
        let limited = FaultInjectingChatModel(
            wrapping: LexiconExtractor(), plan: .sequence([.rateLimited(retryAfter: .seconds(7))]), clock: clock)
        let runner = try ReviewBatchRunner(model: limited, outputDirectory: output, clock: clock)
        let run = Task { try await runner.run(inputPath: path) }
        await clock.waitForSleepers(count: 1)
        #expect(limited.callCount == 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(7)), "the backoff honours Retry-After exactly (its floor)")
        await clock.advance(by: .seconds(7))
        let report = try await run.value
        #expect(report.extracted == 5 && report.retries == 1 && limited.callCount == 2)
    }

    @Test("killed at any of many random points, a run resumes and every line ends up exactly once", arguments: [UInt64(1), 2, 3])
    func crashAndResume(seed: UInt64) async throws {
        let path = directory() + ".jsonl"
        try SyntheticReviews.write(count: 400, seed: seed, to: path)
        var random = SeededRandomNumberGenerator(seed: seed)
        for _ in 0..<8 {
            let output = directory()
            var crashes = 0
            // Crash up to three times at random points, then finish.
            while crashes < 3 {
                let point = Int.random(in: 0..<420, using: &random)
                let flaky = LexiconExtractor(failureRate: 0.2, seed: random.next())
                var settings = BatchSettings()
                settings.concurrency = 4
                settings.batchSize = 7
                let runner = try ReviewBatchRunner(
                    model: flaky, settings: settings, outputDirectory: output, dedupe: nil, clock: ManualClockThatNeverWaits(),
                    crashAfterWrites: point)
                do {
                    _ = try await runner.run(inputPath: path)
                    break
                } catch is ReviewOutputs.SimulatedCrash {
                    crashes += 1
                }
            }
            let final = try ReviewBatchRunner(model: LexiconExtractor(), outputDirectory: output, clock: ManualClockThatNeverWaits())
            _ = try await final.run(inputPath: path)
            let lines = try outputLines(output)
            #expect(lines.count == 400, "no line twice (got \(lines.count) output lines)")
            #expect(Set(lines) == Set(1...400), "no line missing")
            try? FileManager.default.removeItem(atPath: output)
        }
    }

    @Test("a damaged line in the middle of the results stops the resume with its line number, instead of redoing or skipping it")
    func damagedResults() async throws {
        let path = try input(10)
        let output = directory()
        _ = try await ReviewBatchRunner(model: LexiconExtractor(), outputDirectory: output).run(inputPath: path)
        let results = output + "/results.jsonl"
        var lines = try String(contentsOfFile: results, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[3] = String(lines[3].prefix(20)) + lines[4]
        try (lines.joined(separator: "\n") + "\n").write(toFile: results, atomically: true, encoding: .utf8)
        await #expect {
            _ = try await ReviewBatchRunner(model: LexiconExtractor(), outputDirectory: output).run(inputPath: path)
        } throws: { error in
            guard case BatchFileError.damagedLine(let damaged, 4, _) = error else { return false }
            return damaged == results
        }
    }

    @Test("a stop finishes the batches in flight; running again completes the job")
    func gracefulStop() async throws {
        let path = directory() + ".jsonl"
        try SyntheticReviews.write(count: 300, seed: 9, to: path)
        let output = directory()
        let stop = StopSignal()
        let stopping = model { call, _, answer in
            if call == 3 { stop.raise() }
            return answer
        }
        var settings = BatchSettings()
        settings.concurrency = 2
        let first = try await ReviewBatchRunner(model: stopping, settings: settings, outputDirectory: output).run(inputPath: path, stop: stop)
        #expect(first.interrupted && first.done < 300)
        #expect(!FileManager.default.fileExists(atPath: output + "/results.csv"))
        let second = try await ReviewBatchRunner(model: LexiconExtractor(), outputDirectory: output).run(inputPath: path)
        #expect(!second.interrupted && second.alreadyDone == first.done && second.done == 300)
        #expect(try outputLines(output).sorted() == Array(1...300))
    }
}

/// A clock whose sleeps return at once (backoff in tests that are not about time).
struct ManualClockThatNeverWaits: Clock {
    typealias Instant = ContinuousClock.Instant
    var now: Instant { ContinuousClock.now }
    var minimumResolution: Duration { .zero }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws { await Task.yield() }
}

/// An in-process provider batch API over the lexicon model: a job is in progress at the first poll
/// and complete at the second; one request fails and one gets no result, as providers do.
private final class FakeBatchProvider: BatchSubmitting, Sendable {
    let jobs = Mutex<[String: (requests: [BatchRequest], polls: Int)]>([:])
    let submitted = Mutex<[Int]>([])

    func submitBatch(_ requests: [BatchRequest]) async throws(LLMError) -> BatchJobStatus {
        let id = jobs.withLock { jobs -> String in
            let id = "job-\(jobs.count)"
            jobs[id] = (requests, 0)
            return id
        }
        submitted.withLock { $0.append(requests.count) }
        return BatchJobStatus(id: id, state: .validating, total: requests.count, succeeded: 0, failed: 0)
    }

    func batchStatus(id: String) async throws(LLMError) -> BatchJobStatus {
        let polls = jobs.withLock { jobs -> Int in
            jobs[id]!.polls += 1
            return jobs[id]!.polls
        }
        return BatchJobStatus(id: id, state: polls >= 2 ? .completed : .inProgress, total: 0, succeeded: 0, failed: 0, resultsLocation: id)
    }

    func batchResults(of status: BatchJobStatus) async throws(LLMError) -> [String: Result<ChatResponse, LLMError>] {
        let requests = jobs.withLock { $0[status.id]!.requests }
        var outcomes: [String: Result<ChatResponse, LLMError>] = [:]
        for (index, request) in requests.enumerated() {
            if index == 1 { outcomes[request.customID] = .failure(LLMError(kind: .server, message: "batch item failed")); continue }
            if index == 2 { continue }  // no result at all
            outcomes[request.customID] = .success(try await LexiconExtractor().respond(to: request.request))
        }
        return outcomes
    }
}

@Suite("ReviewBatch: provider batch jobs")
struct ReviewBatchJobTests {
    @Test("micro-batches go out as batch jobs at half price; what a job loses is asked online; every line once")
    func batchAPIMode() async throws {
        let path = directory() + ".jsonl"
        try SyntheticReviews.write(count: 500, seed: 4, to: path)
        let output = directory()
        let provider = FakeBatchProvider()
        let clock = ManualClock()
        var settings = BatchSettings()
        settings.concurrency = 1
        let runner = try ReviewBatchRunner(model: LexiconExtractor(), settings: settings, outputDirectory: output, clock: clock)
        let finished = Atomic<Bool>(false)
        let run = Task {
            defer { finished.store(true, ordering: .relaxed) }
            return try await runner.run(inputPath: path, mode: .batchAPI(provider, requestsPerJob: 10, pollInterval: .seconds(60)))
        }
        // Each job polls until its second status; move the clock whenever the run waits on it.
        while !finished.load(ordering: .relaxed) {
            if clock.sleeperCount > 0 { await clock.advance(by: .seconds(60)) } else { try await Task.sleep(for: .milliseconds(1)) }  // Free the thread while the run works.
        }
        let report = try await run.value
        #expect(report.extracted + report.duplicates + report.deadLettered == 500)
        #expect(try outputLines(output).sorted() == Array(1...500))
        let jobs = provider.submitted.withLock { $0 }
        #expect(jobs.count == 3 && jobs.allSatisfy { $0 <= 10 }, "25 micro-batches of 20 in jobs of at most 10")
        // Two micro-batches per job came back unusable and were asked online, review by review.
        #expect(report.requests > 25 - 2 * jobs.count)
    }
}

