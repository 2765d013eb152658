import BatchProcessing
import Foundation
import LLMCache
import LLMCore
import Synchronization

/// A job shared through Redis Streams, so worker processes on several machines split it.
///
/// `enqueue` adds one stream entry per input line (`XADD`) and creates the consumer group. Each
/// ``RedisWorker`` reads entries with `XREADGROUP`, processes them like a local run, writes each
/// outcome with `HSETNX` under the line number — so a line has at most one outcome whoever
/// processes it — and only then acknowledges the entries (`XACK`). Entries a dead worker read but
/// never acknowledged are taken over with `XAUTOCLAIM` once idle for the claim timeout, so none is
/// lost: every line ends up exactly once in the results or the dead letters. `export` writes both
/// out as JSON Lines.
public struct RedisJob: Sendable {
    /// The connection.
    public let client: RedisClient
    /// The job's name; its keys start with `reviewbatch:<name>:`.
    public let name: String

    var stream: String { "reviewbatch:\(name):queue" }
    /// One field per input line; its value is `r|` + the result's JSON or `d|` + the dead letter's,
    /// written with HSETNX so the first outcome for a line is the only one.
    var outcomes: String { "reviewbatch:\(name):outcomes" }
    let group = "workers"

    /// Names a job on `client`.
    public init(client: RedisClient, name: String) {
        self.client = client
        self.name = name
    }

    /// Adds every line of `inputPath` to the job (in pipelines of 500) and returns how many.
    public func enqueue(inputPath: String) async throws -> Int {
        do {
            _ = try await client.send("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
        } catch {
            // BUSYGROUP: the group exists — more lines are being added to a running job.
            guard "\(error)".contains("BUSYGROUP") else { throw error }
        }
        var pending: [[[UInt8]]] = []
        var count = 0
        for line in try JSONLinesReader(path: inputPath) {
            let payload = line.text ?? ""
            let problem = line.isTooLong ? "too long" : line.text == nil ? "invalid utf-8" : ""
            pending.append(["XADD", stream, "*", "line", String(line.number), "payload", payload, "problem", problem].map { Array($0.utf8) })
            count += 1
            if pending.count == 500 {
                try await check(client.pipeline(pending))
                pending.removeAll()
            }
        }
        if !pending.isEmpty { try await check(client.pipeline(pending)) }
        return count
    }

    /// Writes the job's outcomes to `directory`/results.jsonl and deadletter.jsonl (replacing them),
    /// sorted by input line, and returns how many of each. Memory: 8 bytes per line — the line
    /// numbers are collected and sorted first, then the outcomes fetched in order, 1,000 at a time.
    /// (The scan also returns the values, which are dropped: twice the traffic of one pass, the
    /// price of sorting without holding them; `HSCAN … NOVALUES` needs Redis 7.4.)
    public func export(to directory: String) async throws -> (results: Int, deadLetters: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var lines: [Int] = []
        var cursor = "0"
        repeat {
            guard case .array(let reply) = try await client.send("HSCAN", outcomes, cursor, "COUNT", "1000"), reply.count == 2,
                let next = reply[0].string, case .array(let pairs) = reply[1]
            else { throw RedisError.protocolViolation("unexpected HSCAN reply") }
            cursor = next
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let line = pairs[index].string.flatMap(Int.init) { lines.append(line) }
            }
        } while cursor != "0"
        // HSCAN may return a field twice while the hash is being resized.
        lines.sort()
        var kept = 0
        for index in lines.indices where kept == 0 || lines[kept - 1] != lines[index] {
            lines[kept] = lines[index]
            kept += 1
        }
        lines.removeLast(lines.count - kept)
        var files: [String: AppendOnlyLines] = [:]
        var counts = ["r|": 0, "d|": 0]
        for (prefix, file) in [("r|", "results.jsonl"), ("d|", "deadletter.jsonl")] {
            let path = directory + "/" + file
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            files[prefix] = try AppendOnlyLines(path: path)
        }
        for start in stride(from: 0, to: lines.count, by: 1_000) {
            let page = lines[start..<min(lines.count, start + 1_000)]
            guard case .array(let values) = try await client.send((["HMGET", outcomes] + page.map(String.init)).map { Array($0.utf8) }),
                values.count == page.count
            else { throw RedisError.protocolViolation("unexpected HMGET reply") }
            for value in values {
                guard let text = value.string else { continue }
                let prefix = String(text.prefix(2))
                guard let output = files[prefix] else { continue }
                try output.append(String(text.dropFirst(2)))
                counts[prefix, default: 0] += 1
            }
        }
        for output in files.values { output.sync() }
        return (counts["r|"]!, counts["d|"]!)
    }

    /// Entries not yet acknowledged by any worker.
    func pendingCount() async throws -> Int {
        guard case .array(let summary) = try await client.send("XPENDING", stream, group), let count = summary.first?.integer else { return 0 }
        return Int(count)
    }

    private func check(_ replies: [RedisValue]) throws {
        if let failure = replies.first(where: { if case .error = $0 { true } else { false } }), case .error(let message) = failure {
            throw RedisError.server(message)
        }
    }
}

/// One worker of a ``RedisJob``: reads entries, processes them with a runner's pipeline, records
/// outcomes, acknowledges; takes over entries of workers that died. Returns when the queue is empty
/// and nothing is pending anywhere, or when stopped.
public final class RedisWorker: Sendable {
    /// The job.
    public let job: RedisJob
    /// This worker's name in the consumer group (unique per process).
    public let consumer: String
    /// How long an unacknowledged entry must sit before another worker takes it over.
    public let claimTimeout: Duration
    private let runner: ReviewBatchRunner
    private let killed = Atomic<Bool>(false)

    /// Creates a worker that processes with `runner`'s model and settings.
    public init(job: RedisJob, consumer: String, runner: ReviewBatchRunner, claimTimeout: Duration = .seconds(60)) {
        self.job = job
        self.consumer = consumer
        self.runner = runner
        self.claimTimeout = claimTimeout
    }

    /// Tests: behave as if the process died — nothing more is written or acknowledged.
    func simulateKill() { killed.store(true, ordering: .relaxed) }

    /// Works until the job is done or `stop` is raised; returns how many entries it finished.
    public func run(stop: StopSignal = StopSignal()) async throws -> Int {
        let batchSize = String(max(1, runner.settings.batchSize))
        let idle = String(claimTimeout.components.seconds * 1_000 + claimTimeout.components.attoseconds / 1_000_000_000_000_000)
        var finished = 0
        while !stop.isRaised {
            try checkAlive()
            var entries = try Self.entries(in: try await job.client.send("XAUTOCLAIM", job.stream, job.group, consumer, idle, "0-0", "COUNT", batchSize), claimed: true)
            if entries.isEmpty {
                entries = try Self.entries(in: try await job.client.send(
                    "XREADGROUP", "GROUP", job.group, consumer, "COUNT", batchSize, "BLOCK", "500", "STREAMS", job.stream, ">"), claimed: false)
            }
            if entries.isEmpty {
                if try await job.pendingCount() == 0 { return finished }
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            try await process(entries)
            finished += entries.count
        }
        return finished
    }

    private func process(_ entries: [(id: String, line: Int, payload: String, problem: String)]) async throws {
        let sink = RedisSink(job: job, worker: self)
        var reviews: [Review] = []
        for entry in entries {
            let parsed: InputLine
            if !entry.problem.isEmpty {
                parsed = .malformed(id: "line:\(entry.line)", line: entry.line, reason: "the line is \(entry.problem)")
            } else {
                parsed = InputLine(JSONLinesReader.Line(number: entry.line, text: entry.payload))
            }
            switch parsed {
            case .review(let review): reviews.append(review)
            case .malformed(let id, let line, let reason): try await sink.deadLetter(id: id, line: line, reason: reason, attempts: 0)
            }
        }
        if !reviews.isEmpty { try await runner.process(reviews, into: sink) }
        try checkAlive()
        _ = try await job.client.send(["XACK", job.stream, job.group].map { Array($0.utf8) } + entries.map { Array($0.id.utf8) })
    }

    fileprivate func checkAlive() throws {
        if killed.load(ordering: .relaxed) { throw CancellationError() }
    }

    /// The entries of an XREADGROUP or XAUTOCLAIM reply.
    static func entries(in reply: RedisValue, claimed: Bool) throws -> [(id: String, line: Int, payload: String, problem: String)] {
        let list: [RedisValue]
        switch reply {
        case .null: return []
        case .array(let parts) where claimed:
            guard parts.count >= 2, case .array(let claimedEntries) = parts[1] else { return [] }
            list = claimedEntries
        case .array(let streams):
            guard case .array(let stream)? = streams.first, stream.count == 2, case .array(let streamEntries) = stream[1] else { return [] }
            list = streamEntries
        default:
            throw RedisError.protocolViolation("unexpected stream reply: \(reply)")
        }
        return list.compactMap { entry in
            guard case .array(let pair) = entry, pair.count == 2, let id = pair[0].string, case .array(let fields) = pair[1] else { return nil }
            var values: [String: String] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) {
                if let key = fields[index].string { values[key] = fields[index + 1].string ?? "" }
            }
            guard let line = values["line"].flatMap(Int.init) else { return nil }
            return (id, line, values["payload"] ?? "", values["problem"] ?? "")
        }
    }
}

/// Writes outcomes into the job's hash with HSETNX: the first outcome for a line wins.
private struct RedisSink: ReviewSink {
    let job: RedisJob
    let worker: RedisWorker

    func result(_ extraction: Extraction, review: Review) async throws {
        try await put("r|", review.line, OutputRecord.result(extraction, review: review))
    }

    func duplicate(_ review: Review, of original: String) async throws {
        try await put("r|", review.line, OutputRecord.duplicate(review, of: original))
    }

    func deadLetter(id: String, line: Int, reason: String, attempts: Int) async throws {
        try await put("d|", line, OutputRecord.deadLetter(id: id, line: line, reason: reason, attempts: attempts))
    }

    private func put(_ kind: String, _ line: Int, _ record: JSONValue) async throws {
        try worker.checkAlive()
        _ = try await job.client.send("HSETNX", job.outcomes, String(line), kind + (try record.serialized()))
    }
}
