import Foundation
import Synchronization

/// An append-only JSON Lines file with one record per turn. Each record is written with one
/// `write` on a file opened for appending, so concurrent writers interleave whole lines, and a
/// crash loses at most the turn being written.
public final class AuditLog: Sendable {
    /// Where the log is.
    public let url: URL
    private let handle: Mutex<FileHandle>

    /// Opens (creating if needed) the log at `url`.
    public init(url: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !manager.fileExists(atPath: url.path), !manager.createFile(atPath: url.path, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        self.url = url
        self.handle = Mutex(handle)
    }

    /// Appends one record as a line of JSON.
    public func append(_ record: TurnRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(record)
        line.append(0x0A)
        try handle.withLock { handle in
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        }
    }

    deinit {
        handle.withLock { try? $0.close() }
    }
}
