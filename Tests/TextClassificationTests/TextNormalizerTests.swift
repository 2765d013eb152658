import Testing

@testable import TextClassification

@Suite("TextNormalizer")
struct TextNormalizerTests {
    private let normalizer = TextNormalizer()

    @Test("fullwidth forms and mathematical alphanumerics become plain letters (NFKC)")
    func compatibilityForms() {
        #expect(normalizer.normalize("ＨＡＴＥ") == "hate")
        #expect(normalizer.normalize("𝐡𝐚𝐭𝐞 𝒚𝒐𝒖") == "hate you")
        #expect(TextNormalizer(rules: [.caseFolding]).normalize("ＨＡＴＥ") == "ｈａｔｅ", "off, the forms stay")
    }

    @Test("case is folded")
    func caseFolding() {
        #expect(normalizer.normalize("HaTe") == "hate")
    }

    @Test("zero-width, bidirectional control characters and soft hyphens are removed")
    func invisibleCharacters() {
        #expect(normalizer.normalize("h\u{200B}a\u{200C}t\u{200D}e") == "hate")
        #expect(normalizer.normalize("\u{202E}hate\u{202C}\u{2066}x\u{2069}") == "hatex")
        #expect(normalizer.normalize("ha\u{00AD}te\u{FEFF}") == "hate")
    }

    @Test("Cyrillic and Greek look-alikes map to Latin letters")
    func confusables() {
        #expect(normalizer.normalize("hаtе") == "hate", "Cyrillic а and е")
        #expect(normalizer.normalize("НАТЕ") == "hate", "uppercase Cyrillic, folded then mapped")
        #expect(normalizer.normalize("ρεορlε") == "people", "Greek ρ ε ο")
        #expect(TextNormalizer(rules: [.caseFolding]).normalize("hаtе") != "hate")
    }

    @Test("leetspeak inside words is undone; numbers, mentions and trailing punctuation stay")
    func leetspeak() {
        #expect(normalizer.normalize("h4te") == "hate")
        #expect(normalizer.normalize("@ss") == "ass")
        #expect(normalizer.normalize("sh!t") == "shit")
        #expect(normalizer.normalize("1d10t") == "idiot")
        #expect(normalizer.normalize("$tup1d") == "stupid")
        #expect(normalizer.normalize("in 2024 we won 3-1") == "in 2024 we won 3-1")
        #expect(normalizer.normalize("@someone hello") == "@someone hello")
        #expect(normalizer.normalize("great!") == "great!")
    }

    @Test("runs of three or more equal characters are squeezed to two")
    func repeats() {
        #expect(normalizer.normalize("haaaaate") == "haate")
        #expect(normalizer.normalize("good") == "good")
        #expect(normalizer.normalize("!!!!!") == "!!")
    }

    @Test("evasions combined come back to the plain word")
    func combined() {
        #expect(normalizer.normalize("Ｈ\u{200B}4аааtе") == "haate")
    }
}

@Suite("LinearClassifier and metrics")
struct LinearClassifierTests {
    /// A tiny separable set: the "bad" words mark positives.
    private static let examples: [(text: String, positive: Bool)] = (0..<200).map { index in
        let bad = ["awful", "nasty", "vile", "rotten"][index % 4]
        let neutral = ["lunch", "weather", "garden", "music", "train"][index % 5]
        return index % 3 == 0 ? ("this \(bad) \(neutral) thing \(index)", true) : ("a nice \(neutral) day \(index)", false)
    }

    @Test("training is deterministic for a seed and separates the classes")
    func determinism() throws {
        let features = HashedFeatures(bits: 12)
        let first = try LinearClassifier.train(Self.examples, features: features)
        let second = try LinearClassifier.train(Self.examples, features: features)
        #expect(first.weights == second.weights && first.bias == second.bias)
        let other = try LinearClassifier.train(Self.examples, features: features, training: .init(seed: 2))
        #expect(other.weights != first.weights)
        #expect(first.score("what an awful garden") > 0.7)
        #expect(first.score("a nice music day") < 0.3)
        #expect(first.score("what an 4wful garden") > 0.5, "normalization undoes the evasion")
    }

    @Test("one class only is refused")
    func oneClass() {
        #expect(throws: ClassifierError.self) { try LinearClassifier.train([("a", true), ("b", true)]) }
    }

    @Test("a saved model loads with the same scores; damaged files are refused")
    func saveAndLoad() throws {
        let model = try LinearClassifier.train(Self.examples, features: HashedFeatures(bits: 10))
        let path = NSTemporaryPath()
        try model.save(to: path)
        let loaded = try LinearClassifier(contentsOf: path)
        #expect(loaded.weights == model.weights && loaded.score("vile lunch") == model.score("vile lunch"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[100] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: ClassifierError.self) { try LinearClassifier(contentsOf: path) }
        try Data(bytes.prefix(40)).write(to: URL(fileURLWithPath: path))
        #expect(throws: ClassifierError.self) { try LinearClassifier(contentsOf: path) }
    }

    @Test("ROC AUC, per-class precision and recall, macro-F1 and the false-positive threshold")
    func metrics() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1]
        let labels = [true, true, false, true, false, true, false, false]
        #expect(BinaryMetrics.areaUnderROC(scores: scores, labels: labels) == 0.8125)
        #expect(BinaryMetrics.areaUnderROC(scores: [0.5, 0.5], labels: [true, false]) == 0.5, "ties count half")
        let metrics = BinaryMetrics(scores: scores, labels: labels, threshold: 0.5)
        #expect(metrics.positive.precision == 0.75 && metrics.positive.recall == 0.75)
        #expect(metrics.negative.precision == 0.75 && metrics.falsePositiveRate == 0.25)
        #expect(abs(metrics.macroF1 - 0.75) < 1e-12)
        let strict = BinaryMetrics.threshold(forFalsePositiveRate: 0, scores: scores, labels: labels)
        #expect(strict > 0.7 && BinaryMetrics(scores: scores, labels: labels, threshold: strict).falsePositiveRate == 0)
    }
}

import Foundation

private func NSTemporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID().uuidString).bin").path
}
