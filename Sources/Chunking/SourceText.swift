/// A source text prepared for chunking: its UTF-8 bytes, where its grapheme clusters begin,
/// and how to measure any span of it in the chunk size's unit.
struct SourceText {
    let bytes: [UInt8]
    /// `characterCountBefore[i]`: how many grapheme clusters start before byte `i` (size `bytes.count + 1`).
    private let characterCountBefore: [Int32]
    let size: ChunkSize

    init(_ text: String, size: ChunkSize) {
        bytes = Array(text.utf8)
        self.size = size
        var counts = [Int32](repeating: 0, count: bytes.count + 1)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // ASCII: every byte starts a cluster except LF after CR.
            var count: Int32 = 0
            for index in 0..<bytes.count {
                counts[index] = count
                if !(bytes[index] == 10 && index > 0 && bytes[index - 1] == 13) { count += 1 }
            }
            counts[bytes.count] = count
        } else {
            var starts = [Bool](repeating: false, count: bytes.count + 1)
            var offset = 0
            for character in text {
                starts[offset] = true
                offset += character.utf8.count
            }
            var count: Int32 = 0
            for index in 0..<bytes.count {
                counts[index] = count
                if starts[index] { count += 1 }
            }
            counts[bytes.count] = count
        }
        characterCountBefore = counts
    }

    /// Whether a chunk may start or end at byte `offset` (a grapheme-cluster boundary).
    @inline(__always)
    func isBoundary(_ offset: Int) -> Bool {
        offset == 0 || offset == bytes.count || characterCountBefore[offset + 1] > characterCountBefore[offset]
    }

    /// The number of characters in `range` (which must start and end on boundaries).
    @inline(__always)
    func characters(_ range: Range<Int>) -> Int {
        Int(characterCountBefore[range.upperBound] - characterCountBefore[range.lowerBound])
    }

    /// The text of `range`.
    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The size of `range` in the chunk size's unit.
    func measure(_ range: Range<Int>) -> Int {
        switch size.unit {
        case .characters: characters(range)
        case .tokens(let counter): counter.tokenCount(of: text(range))
        }
    }

    /// Whether the size is additive over adjacent ranges (true for characters).
    var isAdditive: Bool {
        if case .characters = size.unit { return true }
        return false
    }

    /// A chunk for `range`.
    func chunk(_ range: Range<Int>, index: Int, metadata: [String: String] = [:]) -> Chunk {
        let firstCharacter = Int(characterCountBefore[range.lowerBound])
        return Chunk(
            text: text(range), utf8Range: range, characterRange: firstCharacter..<(firstCharacter + characters(range)),
            index: index, metadata: metadata)
    }

    /// Whether `range` holds only white space (or nothing).
    func isBlank(_ range: Range<Int>) -> Bool {
        var sawNonASCII = false
        for byte in bytes[range] {
            switch byte {
            case 9...13, 32: continue
            case 0x80...: sawNonASCII = true
            default: return false
            }
        }
        return !sawNonASCII || text(range).allSatisfy(\.isWhitespace)
    }
}
