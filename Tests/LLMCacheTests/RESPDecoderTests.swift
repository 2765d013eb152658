import Testing

@testable import LLMCache

/// Feeds `bytes` to a decoder in pieces of `piece` bytes, as reads from a socket would arrive,
/// and returns every whole reply.
private func decode(_ bytes: [UInt8], inPiecesOf piece: Int) throws -> [RedisValue] {
    var decoder = RESPDecoder()
    var buffer: [UInt8] = []
    var index = 0
    var replies: [RedisValue] = []
    var offset = 0
    while offset < bytes.count {
        // Drop consumed bytes as the connection does: the decoder keeps values, never offsets.
        buffer.removeFirst(index)
        index = 0
        buffer += bytes[offset..<min(bytes.count, offset + piece)]
        offset += piece
        while let reply = try decoder.decode(buffer, at: &index) { replies.append(reply) }
    }
    #expect(index == buffer.count, "every byte of whole replies consumed")
    return replies
}

@Suite("RESP decoding")
struct RESPDecoderTests {
    static let wire = Array((
        "*7\r\n+OK\r\n-ERR wrong type\r\n:-42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*0\r\n*2\r\n*-1\r\n*1\r\n$0\r\n\r\n"
            + ":7\r\n"
    ).utf8)
    static let expected: [RedisValue] = [
        .array([
            .simpleString("OK"), .error("ERR wrong type"), .integer(-42), .bulkString(Array("he\r\nl".utf8)), .null, .array([]),
            .array([.null, .array([.bulkString([])])]),
        ]),
        .integer(7),
    ]

    @Test("a nested reply split at every possible point decodes the same as in one piece")
    func everySplit() throws {
        #expect(try decode(Self.wire, inPiecesOf: Self.wire.count) == Self.expected)
        for piece in 1...Self.wire.count {
            #expect(try decode(Self.wire, inPiecesOf: piece) == Self.expected, "pieces of \(piece) bytes")
        }
    }

    @Test("a large array reply arriving in socket-sized reads decodes whole")
    func largeArray() throws {
        var wire = Array("*100000\r\n".utf8)
        for index in 0..<100_000 { wire += Array("$\(String(index).utf8.count)\r\n\(index)\r\n".utf8) }
        let replies = try decode(wire, inPiecesOf: 16 * 1024)
        guard case .array(let elements)? = replies.first else { Issue.record("no array"); return }
        #expect(replies.count == 1 && elements.count == 100_000)
        #expect(elements[99_999] == .bulkString(Array("99999".utf8)))
    }

    @Test("bytes that are not RESP are protocol violations")
    func violations() {
        for bad in ["?what\r\n", "$3\r\nabcXY", "$-5\r\n", "*-2\r\n", ":12a\r\n"] {
            #expect(throws: RedisError.self, "\(bad.debugDescription)") { _ = try decode(Array(bad.utf8), inPiecesOf: 64) }
        }
    }
}
