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

    /// Parses one reply starting at `start`; returns it and the index after it, or `nil` when
    /// the buffer does not hold a whole reply yet.
    static func parse(_ buffer: [UInt8], from start: Int) throws(RedisError) -> (RedisValue, Int)? {
        guard start < buffer.count else { return nil }
        guard let lineEnd = lineEnd(in: buffer, from: start + 1) else { return nil }
        let line = buffer[(start + 1)..<lineEnd]
        let next = lineEnd + 2
        switch buffer[start] {
        case UInt8(ascii: "+"):
            return (.simpleString(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: "-"):
            return (.error(String(decoding: line, as: UTF8.self)), next)
        case UInt8(ascii: ":"):
            return (.integer(try integer(line)), next)
        case UInt8(ascii: "$"):
            let length = try integer(line)
            if length == -1 { return (.null, next) }
            guard length >= 0, length <= 512 << 20 else { throw .protocolViolation("bulk string length \(length)") }
            let end = next + Int(length)
            guard end + 2 <= buffer.count else { return nil }
            guard buffer[end] == 13, buffer[end + 1] == 10 else { throw .protocolViolation("bulk string not followed by CRLF") }
            return (.bulkString(Array(buffer[next..<end])), end + 2)
        case UInt8(ascii: "*"):
            let count = try integer(line)
            if count == -1 { return (.null, next) }
            guard count >= 0, count <= 1 << 24 else { throw .protocolViolation("array length \(count)") }
            var elements: [RedisValue] = []
            elements.reserveCapacity(Int(count))
            var position = next
            for _ in 0..<count {
                guard let (element, after) = try parse(buffer, from: position) else { return nil }
                elements.append(element)
                position = after
            }
            return (.array(elements), position)
        default:
            throw .protocolViolation("unexpected reply type byte \(buffer[start])")
        }
    }

    private static func lineEnd(in buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    private static func integer(_ digits: ArraySlice<UInt8>) throws(RedisError) -> Int64 {
        guard let value = Int64(String(decoding: digits, as: UTF8.self)) else {
            throw .protocolViolation("'\(String(decoding: digits, as: UTF8.self))' is not an integer")
        }
        return value
    }
}
