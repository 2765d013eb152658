/// Reads tiktoken's rank file format: one `base64-token SPACE decimal-rank` per line.
enum RankFileParser {
    static func parse(_ contents: [UInt8]) throws(TokenizerError) -> [(bytes: ArraySlice<UInt8>, rank: Int)] {
        var tokens: [(bytes: ArraySlice<UInt8>, rank: Int)] = []
        tokens.reserveCapacity(contents.count / 12)
        var seenRanks = Set<Int>()
        var lineNumber = 0
        var lineStart = 0
        while lineStart < contents.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < contents.count, contents[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var line = contents[lineStart..<lineEnd]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lineStart = lineEnd + 1
            if line.isEmpty { continue }
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else {
                throw .malformedRankFile(line: lineNumber, reason: "no space between token and rank")
            }
            guard let bytes = Base64.decode(line[line.startIndex..<space]) else {
                throw .malformedRankFile(line: lineNumber, reason: "the token is not valid base64")
            }
            let digits = line[(space + 1)...]
            guard !digits.isEmpty, digits.count < 10, digits.allSatisfy({ (48...57).contains($0) }) else {
                throw .malformedRankFile(line: lineNumber, reason: "the rank is not a non-negative integer")
            }
            let rank = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard !bytes.isEmpty else { throw .malformedRankFile(line: lineNumber, reason: "the token is empty") }
            guard seenRanks.insert(rank).inserted else {
                throw .malformedRankFile(line: lineNumber, reason: "rank \(rank) appears twice")
            }
            tokens.append((bytes[...], rank))
        }
        guard !tokens.isEmpty else { throw .malformedRankFile(line: 0, reason: "the file has no tokens") }
        // Ranks index a table, so a stray huge rank must not allocate gigabytes.
        if let largest = seenRanks.max(), largest >= 2 * tokens.count + 256 {
            throw .malformedRankFile(line: 0, reason: "rank \(largest) is far beyond the \(tokens.count) tokens; ranks must be dense")
        }
        // Byte-level BPE starts from single bytes; without all 256 some text could not be encoded.
        let singleBytes = Set(tokens.lazy.filter { $0.bytes.count == 1 }.map { $0.bytes.first! })
        guard singleBytes.count == 256 else {
            throw .malformedRankFile(line: 0, reason: "only \(singleBytes.count) of the 256 single bytes have a rank")
        }
        return tokens
    }
}

/// Standard base64 (RFC 4648, with padding) decoding.
enum Base64 {
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = Int8(index)
        }
        return table
    }()

    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var index = text.startIndex
        while index < text.endIndex {
            var quad: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let character = text[index + offset]
                if character == UInt8(ascii: "=") && offset >= 2 && index + 4 == text.endIndex {
                    padding += 1
                    quad <<= 6
                    continue
                }
                let value = values[Int(character)]
                guard value >= 0, padding == 0 else { return nil }
                quad = quad << 6 | UInt32(value)
            }
            output.append(UInt8(quad >> 16))
            if padding < 2 { output.append(UInt8(quad >> 8 & 0xFF)) }
            if padding < 1 { output.append(UInt8(quad & 0xFF)) }
            index += 4
        }
        return output
    }
}

/// UTF-8 validation that reports where the bytes go wrong.
enum UTF8Validation {
    /// The offset of the first byte that does not begin or continue a valid UTF-8 sequence, or nil.
    static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var minimum: UInt32
            switch lead {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2; minimum = 0x80
            case 0xE0...0xEF: length = 3; minimum = 0x800
            case 0xF0...0xF4: length = 4; minimum = 0x10000
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length {
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else { return index }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return index }
            minimum = 0
            index += length
        }
        return nil
    }
}
