import LLMProviders
import LLMTesting
import Testing

private func parse(_ text: String, chunkSizes: [Int]? = nil) throws -> [ServerSentEvent] {
    let bytes = Array(text.utf8)
    var parser = ServerSentEventParser()
    guard let chunkSizes else { return try parser.feed(bytes) }
    var events: [ServerSentEvent] = []
    var start = 0
    var index = 0
    while start < bytes.count {
        let end = min(bytes.count, start + max(1, chunkSizes[index % chunkSizes.count]))
        events += try parser.feed(bytes[start..<end])
        start = end
        index += 1
    }
    return events
}

@Suite("Server-sent events")
struct ServerSentEventParserTests {
    @Test("multi-line data is joined with line feeds (the standard's stock-ticker example)")
    func multiLineData() throws {
        #expect(try parse("data: YHOO\ndata: +2\ndata: 10\n\n") == [ServerSentEvent(data: "YHOO\n+2\n10")])
    }

    @Test("comments, ids and the single optional space after the colon")
    func commentsAndIDs() throws {
        let events = try parse(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n")
        #expect(events == [
            ServerSentEvent(data: "first event", lastEventID: "1"),
            ServerSentEvent(data: "second event", lastEventID: ""),
            ServerSentEvent(data: " third event", lastEventID: ""),
        ])
    }

    @Test("empty data fields count; an event the stream never finished is discarded")
    func emptyDataAndUnfinished() throws {
        var parser = ServerSentEventParser()
        let events = try parser.feed(Array("data\n\ndata\ndata\n\ndata:".utf8))
        #expect(events == [ServerSentEvent(data: ""), ServerSentEvent(data: "\n")])
        parser.finish()
        #expect(try parser.feed(Array("\n".utf8)).isEmpty)  // The parser was reset: nothing pending.
    }

    @Test("event types, retry only as digits, ids with NUL ignored, unknown fields ignored, no data no event")
    func fields() throws {
        let text = "event: message_start\nretry: 3000\ndata: {\"a\":1}\n\nevent: ping\n\nretry: 12ms\nfoo: bar\nid: a\u{0}b\ndata: x\n\n"
        #expect(try parse(text) == [
            ServerSentEvent(type: "message_start", data: "{\"a\":1}", retry: 3000),
            ServerSentEvent(type: "message", data: "x"),
        ])
    }

    @Test("CR, LF and CR LF end lines alike, also when CR and LF arrive in different chunks")
    func lineEndings() throws {
        let expected = [ServerSentEvent(data: "a\nb"), ServerSentEvent(data: "c")]
        #expect(try parse("data: a\rdata: b\r\rdata: c\r\r") == expected)
        #expect(try parse("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n") == expected)
        #expect(try parse("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n", chunkSizes: [1]) == expected)
        #expect(try parse("data: a\ndata: b\n\ndata: c\n\n", chunkSizes: [3, 1, 2]) == expected)
    }

    @Test("one leading byte-order mark is dropped, also split over chunks; a later one is content")
    func byteOrderMark() throws {
        let text = "\u{FEFF}data: one\n\n\u{FEFF}data: two\n\ndata: three\n\n"
        let expected = [ServerSentEvent(data: "one"), ServerSentEvent(data: "three")]
        #expect(try parse(text) == expected)
        #expect(try parse(text, chunkSizes: [1]) == expected)
        #expect(try parse("\u{FEFF}\u{FEFF}data: x\n\n").isEmpty)  // The second mark starts a field name.
        // Bytes that begin like a BOM but are not one are kept.
        #expect(try parse("data: é\n\n") == [ServerSentEvent(data: "é")])
    }

    @Test("any chunking gives the same events as one chunk, UTF-8 split mid-sequence included")
    func arbitraryChunking() throws {
        let text = """
            event: content_block_delta\r
            data: {"delta":{"text":"Grüße 東京 🚀"}}\r
            \r
            : keep-alive\r
            data: {"text":"é\\u00e9"}\r
            data: second line 🎉\r
            \r
            id: 42\r
            data: [DONE]\r
            \r

            """
        let whole = try parse(text)
        #expect(whole.count == 3)
        #expect(whole[0].data == #"{"delta":{"text":"Grüße 東京 🚀"}}"#)
        #expect(whole[2].lastEventID == "42")
        var generator = SeededRandomNumberGenerator(seed: 11)
        for _ in 0..<200 {
            let sizes = (0..<16).map { _ in Int.random(in: 1...7, using: &generator) }
            #expect(try parse(text, chunkSizes: sizes) == whole)
        }
        #expect(try parse(text, chunkSizes: [1]) == whole)
    }

    @Test("a line past the limit is an error, not unbounded memory")
    func lineLimit() {
        var parser = ServerSentEventParser(maximumLineLength: 16)
        #expect(throws: StreamParserError.lineTooLong(limit: 16)) {
            try parser.feed(Array(("data: " + String(repeating: "x", count: 64)).utf8))
        }
    }
}

@Suite("NDJSON lines")
struct NDJSONLineParserTests {
    @Test("lines end at LF or CR LF; blank lines are skipped; chunks may split anything")
    func lines() throws {
        let text = "{\"a\":1}\r\n\n  \n{\"b\":\"東京\"}\n{\"done\":true}"
        for size in [1, 2, 5, 100] {
            var parser = NDJSONLineParser()
            var lines: [String] = []
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                lines += try parser.feed(bytes[start..<min(start + size, bytes.count)])
            }
            #expect(lines == ["{\"a\":1}", "{\"b\":\"東京\"}"], "chunk size \(size)")
            #expect(parser.finish() == "{\"done\":true}")
            #expect(parser.finish() == nil)
        }
    }

    @Test("a line past the limit is an error")
    func lineLimit() {
        var parser = NDJSONLineParser(maximumLineLength: 8)
        #expect(throws: StreamParserError.lineTooLong(limit: 8)) { try parser.feed(Array("{\"long\": true}\n".utf8)) }
    }
}
