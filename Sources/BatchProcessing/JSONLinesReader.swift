#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in constant memory: 64 KB reads, one line held at a time.
///
/// Each line comes with its number (from 1) and its text, or `nil` text when the bytes are not
/// UTF-8; a line longer than ``maximumLineBytes`` is reported as too long and skipped to its end
/// rather than buffered. Line endings (`\n` or `\r\n`) are removed; a last line without a newline
/// is still a line.
///
/// ```swift
/// for line in try JSONLinesReader(path: "reviews.jsonl") {
///     guard let text = line.text, !line.isTooLong else { continue }
///     …
/// }
/// ```
public struct JSONLinesReader: Sequence {
    /// One line of the file.
    public struct Line: Sendable, Hashable {
        /// The line's number, from 1.
        public var number: Int
        /// The text without its line ending; `nil` when the bytes are not valid UTF-8 or the line is too long.
        public var text: String?
        /// Whether the line was longer than the reader's limit (its text is then `nil`).
        public var isTooLong: Bool
        /// The line's size in the file, its line ending included.
        public var byteCount: Int
        /// Whether a newline ended the line (only the file's last line can lack one).
        public var endsWithNewline: Bool

        /// Creates a line (for lines that come from somewhere other than a file, such as a queue).
        public init(number: Int, text: String?, isTooLong: Bool = false, byteCount: Int? = nil, endsWithNewline: Bool = true) {
            self.number = number
            self.text = text
            self.isTooLong = isTooLong
            self.byteCount = byteCount ?? (text?.utf8.count ?? 0) + (endsWithNewline ? 1 : 0)
            self.endsWithNewline = endsWithNewline
        }
    }

    /// The file's path.
    public let path: String
    /// The longest line read whole; longer ones are reported and skipped.
    public let maximumLineBytes: Int

    /// Prepares to read `path`.
    ///
    /// - Throws: ``BatchFileError/cannotOpen(path:reason:)`` if the file cannot be opened.
    public init(path: String, maximumLineBytes: Int = 1 << 20) throws(BatchFileError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        close(descriptor)
        self.path = path
        self.maximumLineBytes = Swift.max(1, maximumLineBytes)
    }

    /// An iterator that opens the file; it closes it at the end or when dropped.
    public func makeIterator() -> Iterator {
        Iterator(descriptor: open(path, O_RDONLY), maximumLineBytes: maximumLineBytes)
    }

    /// Reads lines one at a time.
    public final class Iterator: IteratorProtocol {
        private var descriptor: Int32
        private let maximumLineBytes: Int
        private var buffer = [UInt8](repeating: 0, count: 1 << 16)
        private var start = 0
        private var end = 0
        private var line: [UInt8] = []
        private var tooLong = false
        private var number = 0
        private var rawCount = 0

        init(descriptor: Int32, maximumLineBytes: Int) {
            self.descriptor = descriptor
            self.maximumLineBytes = maximumLineBytes
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        /// The next line, or `nil` at the end of the file (or on a read error, which ends reading).
        public func next() -> Line? {
            guard descriptor >= 0 else { return nil }
            line.removeAll(keepingCapacity: true)
            tooLong = false
            rawCount = 0
            while true {
                if start == end {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count <= 0 {
                        close(descriptor)
                        descriptor = -1
                        return rawCount == 0 ? nil : finish(newline: false)
                    }
                    start = 0
                    end = count
                }
                if let newline = buffer[start..<end].firstIndex(of: 10) {
                    append(buffer[start..<newline])
                    rawCount += 1
                    start = newline + 1
                    return finish(newline: true)
                }
                append(buffer[start..<end])
                start = end
            }
        }

        private func append(_ bytes: ArraySlice<UInt8>) {
            rawCount += bytes.count
            guard !tooLong else { return }
            if line.count + bytes.count > maximumLineBytes {
                tooLong = true
                line.removeAll()
            } else {
                line.append(contentsOf: bytes)
            }
        }

        private func finish(newline: Bool) -> Line {
            number += 1
            if tooLong { return Line(number: number, text: nil, isTooLong: true, byteCount: rawCount, endsWithNewline: newline) }
            // (byteCount is the raw size, line ending included, even when a CR was removed.)
            if line.last == 13 { line.removeLast() }
            return Line(
                number: number, text: String(validating: line, as: UTF8.self), isTooLong: false, byteCount: rawCount,
                endsWithNewline: newline)
        }
    }
}

/// Why a batch file could not be used.
public enum BatchFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened.
    case cannotOpen(path: String, reason: String)
    /// Writing failed (disk full, permissions).
    case writeFailed(path: String, reason: String)
    /// A complete line of an output or checkpoint file is not a record this program writes — the
    /// file was edited or damaged in the middle. Nothing is guessed: the run stops before it could
    /// redo or lose the work that line stood for.
    case damagedLine(path: String, line: Int, reason: String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open \(path): \(reason); check the path and permissions"
        case .writeFailed(let path, let reason): "cannot write \(path): \(reason); check free space and permissions"
        case .damagedLine(let path, let line, let reason):
            "line \(line) of \(path) is damaged (\(reason)); repair or delete that line, or move the file aside to start over"
        }
    }
}
