import Foundation
import Testing
import LLMCore
import Tokenizers

/// Where the shared data and this target's fixtures are, relative to this file.
enum Locations {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = tests.appendingPathComponent("Fixtures")
    static let sharedData = tests.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("../shared/data")

    /// The real tokenizer, or nil (with a visible message) when the shared rank files are absent.
    static func tokenizer(_ encoding: TiktokenEncoding) -> BPETokenizer? {
        let file = sharedData.appendingPathComponent("tokenizers/\(encoding.rawValue).tiktoken")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("skipped: \(file.path) is absent (tiktoken rank files live in the shared data folder)")
            return nil
        }
        return try? BPETokenizer(encoding: encoding, ranksFile: file)
    }
}

/// FNV-1a 64 over each id as 4 little-endian bytes, as `Benchmarks/peers/tiktoken_fixtures.py` computes it.
func digest(_ ids: [Int]) -> String {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325
    for id in ids {
        for shift in [0, 8, 16, 24] {
            value ^= UInt64((id >> shift) & 0xFF)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

@Suite("tiktoken parity")
struct TiktokenParityTests {
    struct EdgeCases: Decodable {
        struct Case: Decodable {
            let text: String
            let cl100k_base: [Int]
            let cl100k_base_ordinary: [Int]
            let o200k_base: [Int]
            let o200k_base_ordinary: [Int]
        }
        let cases: [Case]
    }

    struct SharedText: Decodable {
        struct Expected: Decodable {
            let count: Int
            let fnv1a64: String
        }
        let files: [String: [String: Expected]]
    }

    @Test("edge cases: ids equal tiktoken's, with and without special tokens", arguments: TiktokenEncoding.allCases)
    func edgeCases(encoding: TiktokenEncoding) throws {
        guard let tokenizer = Locations.tokenizer(encoding) else { return }
        let data = try Data(contentsOf: Locations.fixtures.appendingPathComponent("edge_cases.json"))
        let suite = try JSONDecoder().decode(EdgeCases.self, from: data)
        #expect(suite.cases.count >= 75)
        for item in suite.cases {
            let expected = encoding == .cl100kBase ? item.cl100k_base : item.o200k_base
            let ordinary = encoding == .cl100kBase ? item.cl100k_base_ordinary : item.o200k_base_ordinary
            #expect(try tokenizer.encode(item.text, specialTokens: .allowAll) == expected, "\(item.text.debugDescription)")
            #expect(tokenizer.encodeOrdinary(item.text) == ordinary, "\(item.text.debugDescription)")
            #expect(tokenizer.tokenCount(of: item.text) == ordinary.count)
            #expect(try tokenizer.decode(expected) == item.text)
        }
    }

    @Test("every shared text file: ids equal tiktoken's (count and digest)", arguments: TiktokenEncoding.allCases)
    func sharedText(encoding: TiktokenEncoding) throws {
        guard let tokenizer = Locations.tokenizer(encoding) else { return }
        let data = try Data(contentsOf: Locations.fixtures.appendingPathComponent("shared_text.json"))
        let expected = try JSONDecoder().decode(SharedText.self, from: data)
        for (file, byEncoding) in expected.files.sorted(by: { $0.key < $1.key }) {
            guard let want = byEncoding[encoding.rawValue] else { continue }
            let text = try String(contentsOf: Locations.sharedData.appendingPathComponent("text/\(file)"), encoding: .utf8)
            let ids = tokenizer.encodeOrdinary(text)
            #expect(ids.count == want.count, "\(file)")
            #expect(digest(ids) == want.fnv1a64, "\(file)")
        }
    }
}

@Suite("ApproximateTokenCounter against cl100k")
struct ApproximationTests {
    @Test("the approximate counter stays near the exact count on real text")
    func nearExact() throws {
        guard let tokenizer = Locations.tokenizer(.cl100kBase) else { return }
        for file in ["prose/pg2701_moby_dick.txt", "markdown/swift-book-tspl.md", "code/swift-collections-sources.swift"] {
            let text = try String(contentsOf: Locations.sharedData.appendingPathComponent("text/\(file)"), encoding: .utf8)
            let exact = Double(tokenizer.tokenCount(of: text))
            let approximate = Double(ApproximateTokenCounter().tokenCount(of: text))
            print("approximate/exact on \(file): \(approximate / exact)")
            // The documented calibration: at or above the exact count, by at most about 16%.
            #expect(approximate / exact >= 1 && approximate / exact < 1.2, "\(file)")
        }
    }
}
