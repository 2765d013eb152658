import LLMTesting
import Chunking
import Foundation
import LLMCore
import Testing
import Tokenizers

/// A tokenizer with every byte and a few merges, so token-mode tests need no shared data.
let tinyTokenizer: BPETokenizer = {
    var lines: [String] = []
    for byte in 0..<256 { lines.append("\(Data([UInt8(byte)]).base64EncodedString()) \(byte)") }
    for (offset, merge) in ["th", "he", "the", " t", " the", "in", "er", "an", "re", "on"].enumerated() {
        lines.append("\(Data(merge.utf8).base64EncodedString()) \(256 + offset)")
    }
    return try! BPETokenizer(encoding: .cl100kBase, ranks: Array(lines.joined(separator: "\n").utf8))
}()

@Suite("RecursiveChunker")
struct RecursiveChunkerTests {
    @Test("invariants hold on random Unicode text, in characters and tokens, with and without overlap",
          arguments: [(40, 0), (40, 10), (7, 0), (120, 30), (1, 0)])
    func invariants(limit: Int, overlap: Int) throws {
        var random = SeededRandomNumberGenerator(seed: UInt64(limit * 100 + overlap))
        for _ in 0..<30 {
            let text = randomText(&random, pieces: Int(random.next() % 60))
            let byCharacters = try RecursiveChunker(size: .characters(limit, overlap: overlap)).chunks(of: text)
            expectInvariants(byCharacters, of: text, limit: limit, overlap: overlap, measure: { $0.count })
            let byTokens = try RecursiveChunker(size: .tokens(limit, overlap: overlap, counter: tinyTokenizer)).chunks(of: text)
            expectInvariants(byTokens, of: text, limit: limit, overlap: overlap, measure: tinyTokenizer.tokenCount(of:))
        }
    }

    @Test("prefers paragraph, then line, then sentence, then word boundaries")
    func hierarchy() throws {
        let text = "First paragraph here.\n\nSecond one is longer. It has two sentences.\nAnd a line."
        let chunks = try RecursiveChunker(size: .characters(30)).chunks(of: text)
        #expect(chunks.map(\.text) == [
            "First paragraph here.\n\n", "Second one is longer. ", "It has two sentences.\n", "And a line.",
        ])
        let words = try RecursiveChunker(size: .characters(12)).chunks(of: "alpha beta gamma delta")
        #expect(words.map(\.text) == ["alpha beta ", "gamma delta"])
    }

    @Test("overlap repeats whole pieces from the end of the previous chunk")
    func overlap() throws {
        let chunks = try RecursiveChunker(size: .characters(12, overlap: 6)).chunks(of: "aa bb cc dd ee ff")
        #expect(chunks.map(\.text) == ["aa bb cc dd ", "cc dd ee ff"])
    }

    @Test("empty, blank and invalid input")
    func edges() throws {
        let chunker = try RecursiveChunker(size: .characters(10))
        #expect(chunker.chunks(of: "").isEmpty)
        #expect(chunker.chunks(of: " \n\t\r\n ").isEmpty)
        #expect(throws: ChunkingError.self) { try RecursiveChunker(size: .characters(0)) }
        #expect(throws: ChunkingError.self) { try RecursiveChunker(size: .characters(10, overlap: 10)) }
        #expect(throws: ChunkingError.self) { try RecursiveChunker(size: .characters(10, overlap: -1)) }
        let family = "👨‍👩‍👧‍👦"
        let chunks = try RecursiveChunker(size: .characters(1)).chunks(of: family + family)
        #expect(chunks.map(\.text) == [family, family])
        #expect(chunks[1].utf8Range == 25..<50 && chunks[1].characterRange == 1..<2)
    }
}

@Suite("SentenceChunker")
struct SentenceChunkerTests {
    @Test("sentence ends survive abbreviations, initials, decimals and ellipses")
    func boundaries() {
        let text = "Dr. Smith paid $3.14 for it, e.g. at the U.S. store. J. Doe agreed... then left! \"Why?\" she asked. 終わり。次"
        let sentences = SentenceChunker.sentenceRanges(in: text).map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
        #expect(sentences == [
            "Dr. Smith paid $3.14 for it, e.g. at the U.S. store. ", "J. Doe agreed... then left! ", "\"Why?\" she asked. ",
            "終わり。", "次",
        ])
    }

    @Test("packs whole sentences, overlapping by whole sentences")
    func packing() throws {
        let text = "One two. Three four. Five six. Seven eight."
        let chunks = try SentenceChunker(size: .characters(22, overlap: 12)).chunks(of: text)
        #expect(chunks.map(\.text) == ["One two. Three four. ", "Three four. Five six. ", "Five six. Seven eight."])
    }

    @Test("invariants hold on random Unicode text", arguments: [(30, 0), (30, 12), (200, 50)])
    func invariants(limit: Int, overlap: Int) throws {
        var random = SeededRandomNumberGenerator(seed: UInt64(limit + overlap))
        for _ in 0..<30 {
            let text = randomText(&random, pieces: Int(random.next() % 80))
            let chunks = try SentenceChunker(size: .characters(limit, overlap: overlap)).chunks(of: text)
            expectInvariants(chunks, of: text, limit: limit, overlap: overlap, measure: { $0.count })
        }
    }
}

@Suite("TokenChunker")
struct TokenChunkerTests {
    @Test("windows of exactly N tokens with exact overlap, never inside a cluster")
    func windows() throws {
        let text = "the then there other in an on re " + String(repeating: "word ", count: 30)
        let ids = tinyTokenizer.encodeOrdinary(text)
        let chunker = try TokenChunker(tokenizer: tinyTokenizer, limit: 10, overlap: 3)
        let chunks = chunker.chunks(of: text)
        // ASCII text: every token boundary is a cluster boundary, so windows are exact.
        var start = 0
        for chunk in chunks {
            let end = min(start + 10, ids.count)
            #expect(try tinyTokenizer.decode(Array(ids[start..<end])) == chunk.text)
            if end == ids.count { break }
            start = end - 3
        }
        var random = SeededRandomNumberGenerator(seed: 9)
        for _ in 0..<20 {
            let text = randomText(&random, pieces: Int(random.next() % 50))
            for (limit, overlap) in [(8, 0), (8, 3), (30, 10)] {
                let chunks = try TokenChunker(tokenizer: tinyTokenizer, limit: limit, overlap: overlap).chunks(of: text)
                // Measured by the source's own tokens: count the ids that fall in each window.
                let ids = tinyTokenizer.encodeOrdinary(text)
                var offsets = [0]
                for id in ids { offsets.append(offsets.last! + (try tinyTokenizer.decodeBytes([id])).count) }
                let tokensIn: (Range<Int>) -> Int = { range in offsets.indices.filter { range.contains(offsets[$0]) && $0 < ids.count }.count }
                expectInvariants(chunks, of: text, limit: limit, overlap: overlap, measure: { piece in
                    guard let chunk = chunks.first(where: { $0.text == piece }) else { return tinyTokenizer.tokenCount(of: piece) }
                    return tokensIn(chunk.utf8Range)
                })
            }
        }
    }
}
