import LLMTesting
import Foundation
import Testing
import Tokenizers

/// A tiny rank file: every byte, then a few merges, so the tests need no shared data.
private func tinyRanks(merges: [String] = ["ab", "bc", "abc", " a", "ll", "he", "hell", "hello"]) -> [UInt8] {
    var lines: [String] = []
    for byte in 0..<256 { lines.append("\(Data([UInt8(byte)]).base64EncodedString()) \(byte)") }
    for (offset, merge) in merges.enumerated() { lines.append("\(Data(merge.utf8).base64EncodedString()) \(256 + offset)") }
    return Array(lines.joined(separator: "\n").utf8)
}

@Suite("BPETokenizer")
struct BPETokenizerTests {
    let tokenizer = try! BPETokenizer(encoding: .cl100kBase, ranks: tinyRanks())

    @Test("merges the lowest-ranked pair first")
    func mergeOrder() throws {
        // "abc": ab (256) beats bc (257); then ab+c = abc (258).
        #expect(try tokenizer.encode("abc") == [258])
        // "bcab": bc and ab both present; ab has the lower rank and is merged first; no "bcab" or "cab".
        #expect(try tokenizer.encode("bcab") == [257, 256])
        #expect(try tokenizer.encode("hello") == [263])
        // "hellx": ll (260) before he (261), then he+ll = hell (262).
        #expect(try tokenizer.encode("hellx") == [262, 120])
        // " abc": ab (256) beats " a" (259) and bc (257); then abc (258); " abc" is no token.
        #expect(try tokenizer.encode("hello abc") == [263, 32, 258])
        #expect(tokenizer.tokenCount(of: "hello abc") == 3)
    }

    @Test("long pieces (heap merge) give the same tokens as the plain merge loop")
    func longPieces() throws {
        let merges = ["ab", "bc", "abc", "ll", "he", "hell", "hello", "ca", "cab", "bb", "abab", "lo", "ol"]
        let tokenizer = try BPETokenizer(encoding: .cl100kBase, ranks: tinyRanks(merges: merges))
        var rank: [[UInt8]: Int] = [:]
        for byte in 0..<256 { rank[[UInt8(byte)]] = byte }
        for (offset, merge) in merges.enumerated() { rank[Array(merge.utf8)] = 256 + offset }
        /// The textbook loop: merge the lowest-ranked adjacent pair, leftmost on a tie.
        func reference(_ word: String) -> [Int] {
            var parts = Array(word.utf8).map { [$0] }
            while true {
                var best: (rank: Int, index: Int)? = nil
                for index in 0..<max(0, parts.count - 1) {
                    if let found = rank[parts[index] + parts[index + 1]], found < (best?.rank ?? .max) { best = (found, index) }
                }
                guard let best else { break }
                parts[best.index] += parts.remove(at: best.index + 1)
            }
            return parts.map { rank[$0]! }
        }
        var random = SeededRandomNumberGenerator(seed: 3)
        let letters = Array("abchelo")
        for length in [97, 150, 400, 2_000] {
            for _ in 0..<5 {
                let word = String((0..<length).map { _ in letters.randomElement(using: &random)! })
                #expect(try tokenizer.encode(word) == reference(word))
            }
        }
    }

    @Test("decoding is lossless, and cutting a character is a typed error")
    func decoding() throws {
        let text = "naïve café 😀"
        let ids = try tokenizer.encode(text)
        #expect(try tokenizer.decode(ids) == text)
        let emoji = try tokenizer.encode("😀")
        #expect(emoji.count == 4)
        #expect(throws: TokenizerError.invalidUTF8(byteOffset: 0)) { try tokenizer.decode(Array(emoji.prefix(2))) }
        #expect(try tokenizer.decodeBytes(Array(emoji.prefix(2))) == [0xF0, 0x9F])
        #expect(throws: TokenizerError.unknownToken(999_999)) { try tokenizer.decode([999_999]) }
        #expect(try tokenizer.decode([100_257]) == "<|endoftext|>")
    }

    @Test("special tokens are refused by default, allowed by name, or treated as text")
    func specialTokens() throws {
        let text = "a<|endoftext|>b"
        #expect(throws: TokenizerError.disallowedSpecialToken("<|endoftext|>")) { try tokenizer.encode(text) }
        #expect(try tokenizer.encode(text, specialTokens: .allow(["<|endoftext|>"])) == [97, 100_257, 98])
        #expect(try tokenizer.encode(text, specialTokens: .allowAll) == [97, 100_257, 98])
        #expect(throws: TokenizerError.disallowedSpecialToken("<|fim_prefix|>")) {
            try tokenizer.encode("<|fim_prefix|>x<|endoftext|>", specialTokens: .allow(["<|endoftext|>"]))
        }
        #expect(throws: TokenizerError.unknownSpecialToken("<|nope|>")) { try tokenizer.encode("x", specialTokens: .allow(["<|nope|>"])) }
        let asText = try tokenizer.encode(text, specialTokens: .encodeAsText)
        #expect(asText == tokenizer.encodeOrdinary(text))
        #expect(!asText.contains(100_257))
        #expect(try tokenizer.decode(asText) == text)
    }

    @Test("invalid UTF-8 input is refused with its offset")
    func invalidUTF8() {
        #expect(throws: TokenizerError.invalidUTF8(byteOffset: 2)) { try tokenizer.encode(utf8: [0x61, 0x62, 0xFF]) }
        #expect(throws: TokenizerError.invalidUTF8(byteOffset: 1)) { try tokenizer.encode(utf8: [0x61, 0xE2, 0x82]) }
        #expect(throws: TokenizerError.invalidUTF8(byteOffset: 0)) { try tokenizer.encode(utf8: [0xED, 0xA0, 0x80]) }  // a surrogate
        #expect(throws: TokenizerError.invalidUTF8(byteOffset: 0)) { try tokenizer.encode(utf8: [0xC0, 0xAF]) }  // overlong
        #expect((try? tokenizer.encode(utf8: Array("ok ✓".utf8))) != nil)
    }

    @Test("malformed rank files are refused with the line number")
    func malformedFiles() {
        #expect(throws: TokenizerError.malformedRankFile(line: 2, reason: "no space between token and rank")) {
            try BPETokenizer(encoding: .cl100kBase, ranks: Array("YQ== 0\nYg==1\n".utf8))
        }
        #expect(throws: TokenizerError.malformedRankFile(line: 1, reason: "the token is not valid base64")) {
            try BPETokenizer(encoding: .cl100kBase, ranks: Array("Y!== 0\n".utf8))
        }
        #expect(throws: TokenizerError.malformedRankFile(line: 2, reason: "rank 0 appears twice")) {
            try BPETokenizer(encoding: .cl100kBase, ranks: Array("YQ== 0\nYg== 0\n".utf8))
        }
        #expect(throws: TokenizerError.malformedRankFile(line: 1, reason: "the rank is not a non-negative integer")) {
            try BPETokenizer(encoding: .cl100kBase, ranks: Array("YQ== -1\n".utf8))
        }
        #expect(throws: TokenizerError.self) { try BPETokenizer(encoding: .cl100kBase, ranks: []) }
        #expect(throws: TokenizerError.self) {
            try BPETokenizer(encoding: .cl100kBase, ranksFile: URL(fileURLWithPath: "/nonexistent/cl100k_base.tiktoken"))
        }
    }

    @Test("round trip on random Unicode text", arguments: [TiktokenEncoding.cl100kBase, .o200kBase])
    func roundTrip(encoding: TiktokenEncoding) throws {
        let tokenizer = try BPETokenizer(encoding: encoding, ranks: tinyRanks())
        var random = SeededRandomNumberGenerator(seed: 42)
        let alphabet: [Character] = ["a", "B", " ", "\n", "\r\n", "é", "e\u{301}", "😀", "👨‍👩‍👧", "日", "٣", "'", "s", "/", "\t", "7"]
        for _ in 0..<200 {
            let text = String((0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let ids = tokenizer.encodeOrdinary(text)
            #expect(try tokenizer.decode(ids) == text)
            #expect(tokenizer.tokenCount(of: text) == ids.count)
        }
    }
}

@Suite("Rank file limits")
struct RankFileLimitTests {
    @Test("a rank far beyond the token count, or missing single bytes, is refused instead of allocating or mis-encoding")
    func limits() {
        var lines = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        lines.append("YWI= 999999999")
        #expect(throws: TokenizerError.self) { try BPETokenizer(encoding: .cl100kBase, ranks: Array(lines.joined(separator: "\n").utf8)) }
        #expect(throws: TokenizerError.malformedRankFile(line: 0, reason: "only 2 of the 256 single bytes have a rank")) {
            try BPETokenizer(encoding: .cl100kBase, ranks: Array("YQ== 0\nYg== 1\n".utf8))
        }
    }
}
