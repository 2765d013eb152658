import LLMTesting
import Chunking
import Foundation
import Testing

/// Checks the invariants every chunker documents, recording an issue for each violation.
func expectInvariants(
    _ chunks: [Chunk], of text: String, limit: Int, overlap: Int, measure: (String) -> Int,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let bytes = Array(text.utf8)
    let characters = Array(text)
    if text.isBlank { #expect(chunks.isEmpty, sourceLocation: sourceLocation) }
    var previous: Chunk? = nil
    for (position, chunk) in chunks.enumerated() {
        #expect(chunk.index == position, sourceLocation: sourceLocation)
        #expect(String(decoding: bytes[chunk.utf8Range], as: UTF8.self) == chunk.text, sourceLocation: sourceLocation)
        // The character range selects the same text: so no cluster was split.
        #expect(String(characters[chunk.characterRange]) == chunk.text, sourceLocation: sourceLocation)
        #expect(!chunk.text.isBlank, sourceLocation: sourceLocation)
        if chunk.text.count > 1 {
            #expect(measure(chunk.text) <= limit, "chunk \(position) measures \(measure(chunk.text)) > \(limit)", sourceLocation: sourceLocation)
        }
        if let previous {
            #expect(chunk.utf8Range.lowerBound > previous.utf8Range.lowerBound, sourceLocation: sourceLocation)
            #expect(chunk.utf8Range.upperBound > previous.utf8Range.upperBound, sourceLocation: sourceLocation)
            if overlap == 0 {
                #expect(chunk.utf8Range.lowerBound >= previous.utf8Range.upperBound, sourceLocation: sourceLocation)
                let gap = String(decoding: bytes[previous.utf8Range.upperBound..<chunk.utf8Range.lowerBound], as: UTF8.self)
                #expect(gap.isBlank, "lost text between chunks: \(gap.debugDescription)", sourceLocation: sourceLocation)
            } else if chunk.utf8Range.lowerBound < previous.utf8Range.upperBound {
                let shared = String(decoding: bytes[chunk.utf8Range.lowerBound..<previous.utf8Range.upperBound], as: UTF8.self)
                #expect(measure(shared) <= overlap, "overlap \(measure(shared)) > \(overlap)", sourceLocation: sourceLocation)
            }
        }
        previous = chunk
    }
    if overlap == 0, let first = chunks.first, let last = chunks.last {
        #expect(String(decoding: bytes[..<first.utf8Range.lowerBound], as: UTF8.self).isBlank, sourceLocation: sourceLocation)
        #expect(String(decoding: bytes[last.utf8Range.upperBound...], as: UTF8.self).isBlank, sourceLocation: sourceLocation)
    }
}

extension String {
    var isBlank: Bool { allSatisfy { $0.isWhitespace } }
}

/// Random text from pieces that stress boundaries: emoji sequences, combining marks, CRLF, RTL,
/// CJK, abbreviations, decimals, ellipses and long words.
func randomText(_ random: inout SeededRandomNumberGenerator, pieces: Int) -> String {
    let vocabulary = [
        "the", "retrieval", "model", "Swift", "chunk", "token", "naïve", "e\u{301}te\u{301}", "👨‍👩‍👧‍👦", "🇯🇵", "👍🏽",
        "❤️‍🔥", "مرحبا", "שלום", "日本語の文章", "한국어", "3.14", "e.g.", "Dr.", "U.S.", "...", "…", "\"Quoted.\"",
        "supercalifragilisticexpialidocious", "Zalgo\u{351}\u{36B}\u{343}", "x\u{20DD}",
    ]
    let separators = [" ", " ", " ", ". ", "! ", "? ", ", ", "\n", "\n\n", "\r\n", "\r\n\r\n", "\t", "  ", "。"]
    var text = ""
    for _ in 0..<pieces {
        text += vocabulary[Int(random.next() % UInt64(vocabulary.count))]
        text += separators[Int(random.next() % UInt64(separators.count))]
    }
    return text
}
