import Foundation
import LLMCache
import LLMCore
import LLMTesting
import Synchronization
import Testing

@testable import ReviewBatchKit

@Suite(
    "ReviewBatch: Redis Streams work queue (real redis-server)",
    .enabled(if: RedisTestServer.binary != nil || RedisTestServer.required, Comment(rawValue: RedisTestServer.skipMessage)),
    .timeLimit(.minutes(5)))  // Loose: the whole suite shares two cores; the point is exactly once, not speed.
struct RedisStreamsTests {
    @Test("two workers share a job; one dies holding entries; every line still ends up exactly once")
    func workerDiesMidJob() async throws {
        let server = try await RedisTestServer()
        let client = RedisClient(RedisConfiguration(port: server.port, connectTimeout: .seconds(1), commandTimeout: .seconds(30)))
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("queue-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: input) }
        try SyntheticReviews.write(count: 300, seed: 5, to: input)
        let job = RedisJob(client: client, name: "test")
        #expect(try await job.enqueue(inputPath: input) == 300)

        // Worker A takes one batch, then hangs in its model call until it is "killed".
        let holding = Atomic<Bool>(false)
        let hanging = ScriptedChatModel([.handler { _ throws(LLMError) in
            holding.store(true, ordering: .relaxed)
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            throw .cancelled()
        }], whenExhausted: .repeatLast)
        var settings = BatchSettings()
        settings.batchSize = 10
        let dedupe = RedisDedupe(client: client, prefix: "test:dedupe:")
        let workerA = RedisWorker(
            job: job, consumer: "a", runner: try ReviewBatchRunner(model: hanging, settings: settings, outputDirectory: "/dev/null", dedupe: dedupe),
            claimTimeout: .milliseconds(300))
        let runA = Task { try await workerA.run() }
        while !holding.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        workerA.simulateKill()
        runA.cancel()
        _ = try? await runA.value
        #expect(try await job.pendingCount() == 10, "A died holding its batch, unacknowledged")

        // Worker B does the rest, taking A's entries over once they have been idle long enough.
        let workerB = RedisWorker(
            job: job, consumer: "b",
            runner: try ReviewBatchRunner(
                model: LexiconExtractor(failureRate: 0.1, seed: 3), settings: settings, outputDirectory: "/dev/null", dedupe: dedupe,
                clock: ManualClockThatNeverWaits()),
            claimTimeout: .milliseconds(300))
        let finished = try await workerB.run()
        #expect(finished == 300)
        #expect(try await job.pendingCount() == 0)

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let counts = try await job.export(to: output)
        #expect(counts.results + counts.deadLetters == 300)
        var lines: [Int] = []
        for name in ["results.jsonl", "deadletter.jsonl"] {
            for line in try String(contentsOfFile: output + "/" + name, encoding: .utf8).split(separator: "\n") {
                lines.append(Int(try JSONValue(parsing: String(line))["line"]!.integerValue!))
            }
        }
        #expect(lines.count == 300 && Set(lines) == Set(1...300))
        withExtendedLifetime(server) {}
    }
}
