import LLMCore
import Testing

@Suite("ApproximateTokenCounter")
struct ApproximateTokenCounterTests {
    @Test("charges words, digits, punctuation, spaces, newlines and other scripts as documented")
    func pieces() {
        let counter = ApproximateTokenCounter()
        #expect(counter.tokenCount(of: "") == 0)
        #expect(counter.tokenCount(of: " ") == 0)
        #expect(counter.tokenCount(of: "   ") == 1)
        #expect(counter.tokenCount(of: "hello world") == 2)
        #expect(counter.tokenCount(of: "internationalisation") == 4)  // 20 letters, 6 per token
        #expect(counter.tokenCount(of: "2026") == 2)
        #expect(counter.tokenCount(of: "a, b.") == 4)  // a, ",", b, "."
        #expect(counter.tokenCount(of: "x.count") == 2)  // the dot rides with "count"
        #expect(counter.tokenCount(of: "a\n\n\nb") == 3)
        #expect(counter.tokenCount(of: "héllo") == 3)  // h, é (two bytes → 1), llo
        #expect(ApproximateTokenCounter(lettersPerToken: 0).lettersPerToken == 1)
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
