/// The RESP2 wire format: commands out, replies in.
enum RESP {
    /// A command as a RESP array of bulk strings.
    static func encode(_ arguments: [[UInt8]], into buffer: inout [UInt8]) {
        buffer += Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            buffer += Array("$\(argument.count)\r\n".utf8)
            buffer += argument
            buffer += [13, 10]
        }
    }

    static func lineEnd(in buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func integer(_ digits: ArraySlice<UInt8>) throws(RedisError) -> Int64 {
        guard let value = Int64(String(decoding: digits, as: UTF8.self)) else {
            throw .protocolViolation("'\(String(decoding: digits, as: UTF8.self))' is not an integer")
        }
        return value
    }
}

/// Decodes replies from a growing buffer, resumably: a reply that arrives in many reads is parsed
/// once, byte by byte as it comes, not from its start again after every read (which made a large
/// array reply — HGETALL, SCAN, LRANGE — cost quadratic time in its size).
struct RESPDecoder {
    /// Arrays begun but not complete, outermost first: how many elements each needs, and those so far.
    private var open: [(count: Int, elements: [RedisValue])] = []

    /// Decodes from `buffer` at `index`, moving `index` past what it consumed. Returns a whole
    /// top-level reply, or `nil` when more bytes are needed (what was consumed is kept for the next
    /// call). After a throw the decoder is empty again (its connection is dropped anyway).
    mutating func decode(_ buffer: [UInt8], at index: inout Int) throws(RedisError) -> RedisValue? {
        do {
            return try decodeElements(buffer, at: &index)
        } catch {
            open.removeAll()
            throw error
        }
    }

    private mutating func decodeElements(_ buffer: [UInt8], at index: inout Int) throws(RedisError) -> RedisValue? {
        while true {
            guard index < buffer.count, let lineEnd = RESP.lineEnd(in: buffer, from: index + 1) else { return nil }
            let line = buffer[(index + 1)..<lineEnd]
            let next = lineEnd + 2
            var value: RedisValue
            switch buffer[index] {
            case UInt8(ascii: "+"):
                value = .simpleString(String(decoding: line, as: UTF8.self))
            case UInt8(ascii: "-"):
                value = .error(String(decoding: line, as: UTF8.self))
            case UInt8(ascii: ":"):
                value = .integer(try RESP.integer(line))
            case UInt8(ascii: "$"):
                let length = try RESP.integer(line)
                if length == -1 {
                    value = .null
                } else {
                    guard length >= 0, length <= 512 << 20 else { throw .protocolViolation("bulk string length \(length)") }
                    let end = next + Int(length)
                    guard end + 2 <= buffer.count else { return nil }
                    guard buffer[end] == 13, buffer[end + 1] == 10 else { throw .protocolViolation("bulk string not followed by CRLF") }
                    value = .bulkString(Array(buffer[next..<end]))
                    index = end + 2
                    if let reply = close(value) { return reply }
                    continue
                }
            case UInt8(ascii: "*"):
                let count = try RESP.integer(line)
                guard count >= -1, count <= 1 << 24 else { throw .protocolViolation("array length \(count)") }
                if count > 0 {
                    index = next
                    var elements: [RedisValue] = []
                    elements.reserveCapacity(Int(min(count, 1 << 16)))
                    open.append((Int(count), elements))
                    continue
                }
                value = count == -1 ? .null : .array([])
            default:
                throw .protocolViolation("unexpected reply type byte \(buffer[index])")
            }
            index = next
            if let reply = close(value) { return reply }
        }
    }

    /// Adds a finished value to the innermost open array, closing every array it completes; returns
    /// the value when it completes the top-level reply.
    private mutating func close(_ value: RedisValue) -> RedisValue? {
        var value = value
        while !open.isEmpty {
            open[open.count - 1].elements.append(value)
            guard open[open.count - 1].elements.count == open[open.count - 1].count else { return nil }
            value = .array(open.removeLast().elements)
        }
        return value
    }
}
