import LLMCore
import Testing

@Suite("ApproximateTokenCounter")
struct ApproximateTokenCounterTests {
    @Test("charges letter runs by length, digits by threes, punctuation singly, newline runs once")
    func pieces() {
        let counter = ApproximateTokenCounter()
        #expect(counter.tokenCount(of: "") == 0)
        #expect(counter.tokenCount(of: "   ") == 0)
        #expect(counter.tokenCount(of: "hello world") == 4)  // 5 letters → 2, twice
        #expect(counter.tokenCount(of: "cat") == 1)
        #expect(counter.tokenCount(of: "2026") == 2)
        #expect(counter.tokenCount(of: "a, b.") == 4)
        #expect(counter.tokenCount(of: "a\n\n\nb") == 3)
        #expect(counter.tokenCount(of: "héllo") == 3)  // h, then é as two bytes → 1, then llo → 1
        #expect(ApproximateTokenCounter(charactersPerToken: 0).charactersPerToken == 1)
    }

    @Test("the estimate grows with the text and never goes negative")
    func monotone() {
        let counter = ApproximateTokenCounter()
        var text = ""
        var last = 0
        for word in ["Retrieval", " augmented", " generation,", " 42", " times", "!\n"] {
            text += word
            let count = counter.tokenCount(of: text)
            #expect(count >= last)
            last = count
        }
    }
}
