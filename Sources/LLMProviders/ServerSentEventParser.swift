/// An incremental `text/event-stream` parser following the WHATWG HTML standard (§9.2.6):
/// feed it bytes as they arrive, in chunks of any size, and it returns each event once complete.
///
/// It strips one leading byte-order mark; ends lines at CR, LF or CR LF (also when the CR and the
/// LF arrive in different chunks); joins multi-line `data:`; ignores comments (`:` lines) and
/// unknown fields; keeps the last event id across events; accepts `retry:` only as digits; drops an
/// event with no data; and discards an unfinished event when the stream ends. A UTF-8 sequence
/// split between chunks is decoded whole, because lines are decoded only once complete.
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for chunk in chunks { for event in try parser.feed(chunk) { handle(event) } }
/// ```
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var afterCarriageReturn = false
    private var byteOrderMarkState = 0  // Bytes of a BOM matched so far; -1 once decided.
    private var eventType = ""
    private var data: [UInt8] = []
    private var hasData = false
    private var lastEventID = ""
    private var retry: Int?
    /// The longest line accepted, in bytes.
    public let maximumLineLength: Int

    /// Creates a parser that refuses lines longer than `maximumLineLength` bytes.
    public init(maximumLineLength: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Parses more bytes and returns the events they complete, in order.
    ///
    /// - Throws: ``StreamParserError/lineTooLong(limit:)``.
    @inlinable
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(StreamParserError) -> [ServerSentEvent] {
        // The work is done on contiguous bytes by a non-generic method: a generic one called from
        // another module would run unspecialised, a protocol call per byte.
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StreamParserError) in try feed(buffer: buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer throws(StreamParserError) in try feed(buffer: buffer) }
    }

    @usableFromInline
    mutating func feed(buffer bytes: UnsafeBufferPointer<UInt8>) throws(StreamParserError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byteOrderMarkState >= 0 {
                let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
                if byte == mark[byteOrderMarkState] {
                    byteOrderMarkState += 1
                    if byteOrderMarkState == 3 { byteOrderMarkState = -1 }
                    continue
                }
                // Not a BOM after all: the bytes matched so far are content.
                let matched = mark[0..<byteOrderMarkState]
                byteOrderMarkState = -1
                for earlier in matched { try consume(earlier, into: &events) }
            }
            try consume(byte, into: &events)
        }
        return events
    }

    /// Ends the stream: an event without its terminating blank line is discarded, as the standard
    /// requires, so this returns nothing; it resets the parser for reuse.
    public mutating func finish() {
        self = ServerSentEventParser(maximumLineLength: maximumLineLength)
    }

    private mutating func consume(_ byte: UInt8, into events: inout [ServerSentEvent]) throws(StreamParserError) {
        switch byte {
        case 0x0A:  // LF
            if afterCarriageReturn {
                afterCarriageReturn = false  // The LF of a CR LF pair: the line already ended.
                return
            }
            endLine(into: &events)
        case 0x0D:  // CR
            afterCarriageReturn = true
            endLine(into: &events)
        default:
            afterCarriageReturn = false
            guard line.count < maximumLineLength else { throw .lineTooLong(limit: maximumLineLength) }
            line.append(byte)
        }
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }  // A comment.
        let field: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        } else {
            field = line[...]
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "id":
            if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            eventType = ""
            data.removeAll(keepingCapacity: true)
            hasData = false
            retry = nil
        }
        guard hasData else { return }
        events.append(ServerSentEvent(
            type: eventType.isEmpty ? "message" : eventType, data: String(decoding: data, as: UTF8.self),
            lastEventID: lastEventID, retry: retry))
    }
}
