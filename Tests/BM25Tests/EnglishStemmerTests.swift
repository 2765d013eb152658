import BM25
import Foundation
import Testing

@Suite("EnglishStemmer")
struct EnglishStemmerTests {
    @Test("classic examples")
    func examples() {
        let stemmer = EnglishStemmer()
        let cases = [
            ("consign", "consign"), ("consigned", "consign"), ("consigning", "consign"), ("consignment", "consign"),
            ("knack", "knack"), ("knackeries", "knackeri"), ("generously", "generous"), ("running", "run"),
            ("hopping", "hop"), ("hoping", "hope"), ("cries", "cri"), ("ties", "tie"), ("skies", "sky"),
            ("news", "news"), ("communication", "communic"), ("a", "a"), ("", ""),
        ]
        for (word, stem) in cases { #expect(stemmer.stem(word) == stem, "\(word)") }
    }

    @Test("the official Snowball English vocabulary stems exactly")
    func snowballVocabulary() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/data/ir/snowball-english")
        guard let words = try? String(contentsOf: folder.appendingPathComponent("voc.txt"), encoding: .utf8),
            let stems = try? String(contentsOf: folder.appendingPathComponent("output.txt"), encoding: .utf8)
        else {
            print("skipped: the Snowball vocabulary is not at \(folder.path) (it lives in the shared data folder)")
            return
        }
        let stemmer = EnglishStemmer()
        let wordLines = words.split(separator: "\n", omittingEmptySubsequences: false)
        let stemLines = stems.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(wordLines.count == stemLines.count)
        var mismatches: [String] = []
        for (word, stem) in zip(wordLines, stemLines) where stemmer.stem(String(word)) != String(stem) {
            mismatches.append("\(word) → \(stemmer.stem(String(word))), expected \(stem)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(20))")
    }
}
