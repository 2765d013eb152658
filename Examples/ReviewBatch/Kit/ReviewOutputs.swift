import BatchProcessing
import Foundation
import LLMCore
import Synchronization

/// Where a review's outcome goes: exactly one of a result, a duplicate record or a dead letter.
protocol ReviewSink: Sendable {
    func result(_ extraction: Extraction, review: Review) async throws
    func duplicate(_ review: Review, of original: String) async throws
    func deadLetter(id: String, line: Int, reason: String, attempts: Int) async throws
}

extension ReviewOutputs: ReviewSink {
    func result(_ extraction: Extraction, review: Review) async throws { try writeResult(extraction, review: review) }
    func duplicate(_ review: Review, of original: String) async throws { try writeDuplicate(review, of: original) }
    func deadLetter(id: String, line: Int, reason: String, attempts: Int) async throws {
        try writeDeadLetter(id: id, line: line, reason: reason, attempts: attempts)
    }
}

/// The JSON of each kind of output line, shared by the files and the Redis queue.
enum OutputRecord {
    static func result(_ extraction: Extraction, review: Review) -> JSONValue {
        [
            "id": .string(review.id), "line": .integer(Int64(review.line)), "sentiment": .string(extraction.sentiment),
            "topics": .array(extraction.topics.map { .string($0) }), "urgency": .integer(Int64(extraction.urgency)),
            "summary": .string(extraction.summary), "content_hash": .string(review.contentHash),
        ]
    }

    static func duplicate(_ review: Review, of original: String) -> JSONValue {
        [
            "id": .string(review.id), "line": .integer(Int64(review.line)), "duplicate_of": .string(original),
            "content_hash": .string(review.contentHash),
        ]
    }

    static func deadLetter(id: String, line: Int, reason: String, attempts: Int) -> JSONValue {
        ["id": .string(id), "line": .integer(Int64(line)), "reason": .string(reason), "attempts": .integer(Int64(attempts))]
    }
}

/// The run's output files — `results.jsonl` and `deadletter.jsonl` — which are also its checkpoint:
/// a review is done exactly when one of them has a line for it.
final class ReviewOutputs: Sendable {
    /// Raised by the crash simulation in tests.
    struct SimulatedCrash: Error {}

    let resultsPath: String
    let deadLetterPath: String
    private let results: AppendOnlyLines
    private let deadLetters: AppendOnlyLines
    /// Tests: after this many writes, leave a torn line and fail every write from then on.
    private let crash: Mutex<(remaining: Int?, crashed: Bool)>
    private let crashes: Bool

    init(directory: String, crashAfterWrites: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        resultsPath = directory + "/results.jsonl"
        deadLetterPath = directory + "/deadletter.jsonl"
        results = try AppendOnlyLines(path: resultsPath)
        deadLetters = try AppendOnlyLines(path: deadLetterPath)
        crash = Mutex((crashAfterWrites, false))
        crashes = crashAfterWrites != nil
    }

    /// What earlier runs finished: the input lines done; each answered review's content hash is
    /// passed to `answered` (for the dedupe cache). Cuts a torn last line off each file first; a
    /// damaged complete line is an error (``BatchFileError/damagedLine(path:line:reason:)``), never skipped.
    static func recover(directory: String, answered: (_ hash: String, _ id: String) -> Void) throws -> LineSet {
        var done = LineSet()
        for name in ["results.jsonl", "deadletter.jsonl"] {
            let path = directory + "/" + name
            try AppendOnlyLines.recover(path: path) { line in
                guard let text = line.text else {
                    throw BatchFileError.damagedLine(path: path, line: line.number, reason: line.isTooLong ? "longer than any record" : "not UTF-8")
                }
                if text.allSatisfy(\.isWhitespace) { return }  // A blank line records nothing.
                let json: JSONValue
                do { json = try JSONValue(parsing: text) } catch {
                    throw BatchFileError.damagedLine(path: path, line: line.number, reason: "\(error)")
                }
                guard case .integer(let number)? = json["line"] else {
                    throw BatchFileError.damagedLine(path: path, line: line.number, reason: "no input line number")
                }
                done.insert(Int(number))
                if case .string(let hash)? = json["content_hash"], case .string(let id)? = json["id"], json["duplicate_of"] == nil {
                    answered(hash, id)
                }
            }
        }
        return done
    }

    func writeResult(_ extraction: Extraction, review: Review) throws {
        try write(results, OutputRecord.result(extraction, review: review))
    }

    func writeDuplicate(_ review: Review, of original: String) throws {
        try write(results, OutputRecord.duplicate(review, of: original))
    }

    func writeDeadLetter(id: String, line: Int, reason: String, attempts: Int) throws {
        try write(deadLetters, OutputRecord.deadLetter(id: id, line: line, reason: reason, attempts: attempts))
    }

    func sync() {
        results.sync()
        deadLetters.sync()
    }

    private func write(_ file: AppendOnlyLines, _ object: JSONValue) throws {
        let line = try object.serialized()
        guard crashes else { return try file.append(line) }
        // The simulation holds its lock across the write, as a killed process writes nothing after
        // its last bytes: the torn line is the end of the file, never followed by another writer's.
        try crash.withLock { state in
            if state.crashed { throw SimulatedCrash() }
            if state.remaining == 0 {
                state.crashed = true
                // A crash in the middle of a write leaves part of a line without its newline.
                let handle = FileHandle(forWritingAtPath: file.path)
                try handle?.seekToEnd()
                try handle?.write(contentsOf: Data(line.utf8.prefix(max(1, line.utf8.count / 2))))
                try handle?.close()
                throw SimulatedCrash()
            }
            state.remaining! -= 1
            try file.append(line)
        }
    }
}

/// A set of line numbers, one bit each (1,000,000 lines take 125 KB).
struct LineSet: Sendable {
    private var words: [UInt64] = []
    private(set) var count = 0

    mutating func insert(_ line: Int) {
        guard line >= 0 else { return }
        let (word, bit) = line.quotientAndRemainder(dividingBy: 64)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        if words[word] & (1 << UInt64(bit)) == 0 {
            words[word] |= 1 << UInt64(bit)
            count += 1
        }
    }

    func contains(_ line: Int) -> Bool {
        guard line >= 0 else { return false }
        let (word, bit) = line.quotientAndRemainder(dividingBy: 64)
        return word < words.count && words[word] & (1 << UInt64(bit)) != 0
    }
}
