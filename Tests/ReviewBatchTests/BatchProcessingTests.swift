import Foundation
import Synchronization
import Testing

@testable import BatchProcessing

private func temporaryFile(_ contents: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString)").path
    try Data(contents).write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("BatchProcessing: line files and bounded concurrency")
struct BatchProcessingTests {
    @Test("lines come back without their endings, numbered, with invalid UTF-8 and over-long lines flagged")
    func readsLines() throws {
        let path = try temporaryFile(Array("one\r\ntwo\n".utf8) + [0xFF, 0xFE, 10] + Array(String(repeating: "x", count: 50).utf8) + [10] + Array("last".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = Array(try JSONLinesReader(path: path, maximumLineBytes: 20))
        #expect(lines.map(\.number) == [1, 2, 3, 4, 5])
        #expect(lines.map(\.text) == ["one", "two", nil, nil, "last"])
        #expect(lines[3].isTooLong && !lines[2].isTooLong)
        #expect(lines.map(\.endsWithNewline) == [true, true, true, true, false])
        let total = lines.map(\.byteCount).reduce(0, +)
        #expect(total == 67, "5 + 4 + 3 + 51 + 4 bytes")
    }

    @Test("reading a 64 KB boundary-straddling file gives every line")
    func bufferBoundaries() throws {
        let text = (1...20_000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let path = try temporaryFile(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = Array(try JSONLinesReader(path: path))
        #expect(lines.count == 20_000 && lines.last?.text == "line 20000" && lines[12_345].text == "line 12346")
    }

    @Test("a missing file is a clear error")
    func missingFile() {
        #expect(throws: BatchFileError.self) { try JSONLinesReader(path: "/nonexistent/file.jsonl") }
    }

    @Test("recovery keeps complete lines and cuts a torn last line, so appending continues cleanly")
    func recovery() throws {
        let path = try temporaryFile(Array("{\"a\":1}\n{\"b\":2}\n{\"c\":".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seen: [String] = []
        let count = try AppendOnlyLines.recover(path: path) { seen.append($0.text ?? "") }
        #expect(count == 2 && seen == ["{\"a\":1}", "{\"b\":2}"])
        let file = try AppendOnlyLines(path: path)
        try file.append("{\"c\":3}")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n")
        #expect(try AppendOnlyLines.recover(path: path + ".absent") == 0)
    }

    @Test("after a failed write every later append is refused, so a torn line can only be the last",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full (Linux)"))
    func failedWritePoisons() throws {
        let file = try AppendOnlyLines(path: "/dev/full")
        var firstReason = ""
        #expect {
            try file.append("first")
        } throws: { error in
            guard case BatchFileError.writeFailed(_, let reason) = error else { return false }
            firstReason = reason
            return !reason.isEmpty
        }
        // Point the writer's descriptor at a healthy file: a writer that forgot the failure would now succeed.
        let healthy = try temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: healthy) }
        let descriptor = open(healthy, O_WRONLY | O_APPEND)
        #expect(descriptor >= 0 && dup2(descriptor, file.fileDescriptor) >= 0)
        close(descriptor)
        #expect(throws: BatchFileError.writeFailed(path: "/dev/full", reason: firstReason)) { try file.append("second") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: healthy)).isEmpty, "nothing written after the failure")
    }

    @Test("at most the limit runs at once, every item runs once, and a stop ends pulling")
    func boundedConcurrency() async {
        let running = Atomic<Int>(0), peak = Atomic<Int>(0), done = Mutex<[Int]>([])
        await forEachConcurrently(0..<200, limit: 7) { item in
            let now = running.add(1, ordering: .relaxed).newValue
            peak.max(now, ordering: .relaxed)
            await Task.yield()
            running.subtract(1, ordering: .relaxed)
            done.withLock { $0.append(item) }
        }
        #expect(peak.load(ordering: .relaxed) <= 7)
        #expect(done.withLock { $0.sorted() } == Array(0..<200))

        let pulled = Atomic<Int>(0)
        await forEachConcurrently(0..<1_000, limit: 3, shouldContinue: { pulled.load(ordering: .relaxed) < 10 }) { _ in
            pulled.add(1, ordering: .relaxed)
        }
        #expect(pulled.load(ordering: .relaxed) < 20)
    }
}
