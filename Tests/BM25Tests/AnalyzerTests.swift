import BM25
import Testing

@Suite("StandardAnalyzer")
struct AnalyzerTests {
    @Test("splits on non-alphanumerics, lowercases, drops stopwords and stems")
    func english() {
        let analyzer = StandardAnalyzer()
        #expect(analyzer.terms(in: "The Runners were RUNNING, to the station-house!") == ["runner", "were", "run", "station", "hous"])
        #expect(analyzer.terms(in: "") == [])
        #expect(analyzer.terms(in: " ... !!! ") == [])
        #expect(analyzer.terms(in: "iPhone 15 Pro") == ["iphon", "15", "pro"])
    }

    @Test("an empty stopword list keeps every word; stemming can be off")
    func options() {
        let analyzer = StandardAnalyzer(stopwords: [], stems: false)
        #expect(analyzer.terms(in: "the cats and dogs") == ["the", "cats", "and", "dogs"])
    }

    @Test("full Unicode lowercasing and optional diacritic folding")
    func unicode() {
        #expect(StandardAnalyzer(stems: false).terms(in: "ÉCOLE Straße ΣΟΦΊΑ") == ["école", "straße", "σοφία"])
        #expect(StandardAnalyzer(stems: false, foldsDiacritics: true).terms(in: "Crème Brûlée naïve") == ["creme", "brulee", "naive"])
    }

    @Test("CJK runs become character bigrams instead of vanishing")
    func cjk() {
        let analyzer = StandardAnalyzer()
        #expect(analyzer.terms(in: "東京都に住む") == ["東京", "京都", "都に", "に住", "住む"])
        #expect(analyzer.terms(in: "한국어 text") == ["한국", "국어", "text"])
        #expect(analyzer.terms(in: "猫") == ["猫"])
    }
}
