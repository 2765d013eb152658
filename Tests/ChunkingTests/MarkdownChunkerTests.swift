import LLMTesting
import Chunking
import Foundation
import Testing

@Suite("MarkdownChunker")
struct MarkdownChunkerTests {
    let document = """
        Intro line.

        # Guide

        Some text about the guide.

        ## Install

        ```swift
        # not a heading
        let x = 1
        ```

        | a | b |
        |---|---|
        | 1 | 2 |

        - item one
          continued
        - item two

        # Other
        Last words.
        """

    @Test("sections carry their header path; blocks that fit stay whole")
    func structure() throws {
        let chunks = try MarkdownChunker(size: .characters(200)).chunks(of: document)
        #expect(chunks.map { $0.metadata["headerPath"] } == ["", "Guide", "Guide > Install", "Other"])
        let install = chunks[2].text
        #expect(install.contains("```swift\n# not a heading\nlet x = 1\n```"))
        #expect(install.contains("| a | b |\n|---|---|\n| 1 | 2 |"))
        expectInvariants(chunks, of: document, limit: 200, overlap: 0, measure: { $0.count })
    }

    @Test("a small limit packs blocks, never splitting one that fits")
    func packing() throws {
        let chunks = try MarkdownChunker(size: .characters(45)).chunks(of: document)
        let fence = "```swift\n# not a heading\nlet x = 1\n```"
        #expect(chunks.contains { $0.text.contains(fence) })
        #expect(chunks.contains { $0.text.contains("- item one\n  continued\n") })
        expectInvariants(chunks, of: document, limit: 45, overlap: 0, measure: { $0.count })
    }

    @Test("invariants hold on random Markdown-like text", arguments: [(30, 0), (60, 15)])
    func invariants(limit: Int, overlap: Int) throws {
        var random = SeededRandomNumberGenerator(seed: UInt64(limit))
        let blocks = ["# Title\n", "## Sub\n", "```\ncode line\nmore code\n```\n", "| x | y |\n| 1 | 2 |\n", "- item\n", "\n"]
        for _ in 0..<30 {
            var text = ""
            for _ in 0..<Int(random.next() % 12) {
                text += blocks[Int(random.next() % UInt64(blocks.count))]
                text += randomText(&random, pieces: Int(random.next() % 8)) + "\n"
            }
            let chunks = try MarkdownChunker(size: .characters(limit, overlap: overlap)).chunks(of: text)
            expectInvariants(chunks, of: text, limit: limit, overlap: overlap, measure: { $0.count })
        }
    }
}
