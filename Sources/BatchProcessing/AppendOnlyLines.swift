import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only file of lines that survives being killed at any moment.
///
/// Each ``append(_:)`` writes one whole line with one `write` to a file opened for appending, so
/// a process killed (even with SIGKILL) leaves every line it wrote complete, and at worst — on a
/// machine crash or a full disk — one torn line at the end. ``recover(path:)`` reads the complete
/// lines and cuts a torn tail away, so output files can serve as their own checkpoint: what is in
/// them is done, exactly once. ``sync()`` asks the kernel to put the lines on disk (for power loss).
///
/// A write that fails part-way (a full disk, an I/O error) may leave a torn line at the end; from
/// then on this writer refuses every append with the first failure, so nothing is ever written
/// after a tear — it stays the last bytes of the file, where ``recover(path:_:)`` cuts it away.
public final class AppendOnlyLines: Sendable {
    /// The file's path.
    public let path: String
    private let state: Mutex<(descriptor: Int32, failure: String?)>

    /// Opens (creating if needed) `path` for appending.
    ///
    /// - Throws: ``BatchFileError/cannotOpen(path:reason:)``.
    public init(path: String) throws(BatchFileError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.state = Mutex((descriptor, nil))
    }

    deinit { state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } } }

    /// The open file descriptor (tests swap what it points at to fail and recover writes).
    var fileDescriptor: Int32 { state.withLock { $0.descriptor } }

    /// Appends `line` and a newline. The line must not contain a newline itself.
    ///
    /// - Throws: ``BatchFileError/writeFailed(path:reason:)`` when this write fails, and with the
    ///   same reason for every append after it (the file may end in a torn line; open it again
    ///   after ``recover(path:_:)`` to go on).
    public func append(_ line: String) throws(BatchFileError) {
        var bytes = Array(line.utf8)
        precondition(!bytes.contains(10), "AppendOnlyLines.append: a line must not contain a newline")
        bytes.append(10)
        let failure: String? = state.withLock { state in
            if let failure = state.failure { return failure }
            var written = 0
            while written < bytes.count {
                let count = bytes.withUnsafeBytes { write(state.descriptor, $0.baseAddress! + written, $0.count - written) }
                if count < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    state.failure = written == 0 ? reason : reason + " (after \(written) of \(bytes.count) bytes of a line)"
                    return state.failure
                }
                written += count
            }
            return nil
        }
        if let failure { throw .writeFailed(path: path, reason: failure) }
    }

    /// Flushes the file to disk.
    public func sync() {
        state.withLock { _ = fsync($0.descriptor) }
    }

    /// Calls `body` with each complete line of `path` (nothing if the file does not exist), after
    /// cutting away a torn last line — bytes after the last newline, left by a crash in the middle of
    /// a write. Returns how many complete lines there are. Reads in constant memory.
    ///
    /// - Throws: ``BatchFileError`` when the file exists but cannot be read or repaired.
    @discardableResult
    public static func recover(path: String, _ body: (JSONLinesReader.Line) throws -> Void = { _ in }) throws -> Int {
        guard access(path, F_OK) == 0 else { return 0 }
        var completeBytes = 0
        var count = 0
        var torn = false
        for line in try JSONLinesReader(path: path) {
            guard line.endsWithNewline else {
                torn = true
                break
            }
            completeBytes += line.byteCount
            count += 1
            try body(line)
        }
        if torn, truncate(path, off_t(completeBytes)) != 0 {
            throw BatchFileError.writeFailed(path: path, reason: "cannot cut the torn last line: " + String(cString: strerror(errno)))
        }
        return count
    }
}
