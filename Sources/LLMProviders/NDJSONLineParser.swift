/// An incremental parser of newline-delimited JSON (Ollama's `/api/chat` stream): feed it bytes in
/// chunks of any size and it returns each complete line, without its line ending (LF or CR LF);
/// blank lines are skipped. Lines are returned as text; decoding the JSON is the caller's step.
public struct NDJSONLineParser: Sendable {
    private var line: [UInt8] = []
    /// The longest line accepted, in bytes.
    public let maximumLineLength: Int

    /// Creates a parser that refuses lines longer than `maximumLineLength` bytes.
    public init(maximumLineLength: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Parses more bytes and returns the lines they complete, in order.
    ///
    /// - Throws: ``StreamParserError/lineTooLong(limit:)``.
    @inlinable
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(StreamParserError) -> [String] {
        // The work is done on contiguous bytes by a non-generic method: a generic one called from
        // another module would run unspecialised, a protocol call per byte.
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StreamParserError) in try feed(buffer: buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(StreamParserError) in try feed(buffer: buffer) }
    }

    @usableFromInline
    mutating func feed(buffer bytes: UnsafeBufferPointer<UInt8>) throws(StreamParserError) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                if line.last == 0x0D { line.removeLast() }
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                    lines.append(String(decoding: line, as: UTF8.self))
                }
                line.removeAll(keepingCapacity: true)
            } else {
                guard line.count < maximumLineLength else { throw .lineTooLong(limit: maximumLineLength) }
                line.append(byte)
            }
        }
        return lines
    }

    /// Ends the stream and returns its last line if it had no line ending (Ollama ends every line,
    /// but a server may not).
    public mutating func finish() -> String? {
        defer { line.removeAll() }
        if line.last == 0x0D { line.removeLast() }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
        return String(decoding: line, as: UTF8.self)
    }
}
