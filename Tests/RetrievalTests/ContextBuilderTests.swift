import LLMCore
import Retrieval
import Testing

/// Counts words: simple enough to check budgets by hand.
private struct WordCounter: TokenCounter {
    func tokenCount(of text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }
}

/// Charges one extra token whenever two documents are joined, as a BPE merge across a boundary might.
private struct NonAdditiveCounter: TokenCounter {
    func tokenCount(of text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count + text.components(separatedBy: "\n\n").count - 1
    }
}

@Suite("ContextBuilder")
struct ContextBuilderTests {
    let documents = [
        RetrievalDocument(id: "a", text: "one two three", title: "Alpha"),
        RetrievalDocument(id: "b", text: String(repeating: "long ", count: 50)),
        RetrievalDocument(id: "c", text: "four five"),
    ]

    @Test("packs in order, skips what does not fit, numbers citations and records their ranges")
    func packs() {
        let context = ContextBuilder(tokenCounter: WordCounter(), tokenBudget: 12).build(documents)
        #expect(context.text == "[1] Alpha\none two three\n\n[2] four five")
        #expect(context.tokenCount == 8)
        #expect(context.citations.map(\.document.id) == ["a", "c"])
        #expect(context.citations.map(\.marker) == ["[1]", "[2]"])
        #expect(context.omitted == ["b"])
        for citation in context.citations {
            let bytes = Array(context.text.utf8)[citation.utf8Range]
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix(citation.marker))
        }
    }

    @Test("the budget holds for the assembled text even when counts are not additive")
    func budgetIsExact() {
        for budget in 0...70 {
            let context = ContextBuilder(tokenCounter: NonAdditiveCounter(), tokenBudget: budget).build(documents)
            #expect(context.tokenCount <= budget)
            #expect(NonAdditiveCounter().tokenCount(of: context.text) == context.tokenCount)
            #expect(context.citations.count + context.omitted.count == documents.count)
        }
        #expect(ContextBuilder(tokenCounter: WordCounter(), tokenBudget: 0).build(documents).text.isEmpty)
    }

    @Test("citation check finds used and invented sources")
    func citationCheck() {
        let context = ContextBuilder(tokenCounter: ApproximateTokenCounter(), tokenBudget: 1_000).build(documents)
        let (cited, unknown) = context.checkCitations(in: "Refunds take 5 days [3][1]. See also [1, 7] and [x] or [ 2 ].")
        #expect(cited.map(\.number) == [3, 1, 2])
        #expect(unknown == [7])
        #expect(context.checkCitations(in: "no sources").cited.isEmpty)
        #expect(context.checkCitations(in: "[99999999999999999999]").unknown == [1_000_000])
    }
}
