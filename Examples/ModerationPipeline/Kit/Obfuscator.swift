import LLMCore

/// Rewrites text the way evaders do, for measuring how much normalization recovers: per word, with
/// seeded chances, Cyrillic/Greek homoglyphs, leetspeak digits and symbols, zero-width characters
/// inserted between letters, fullwidth forms, and stretched letters.
public struct Obfuscator: Sendable {
    /// The share of words rewritten.
    public var wordRate: Double

    /// Creates an obfuscator rewriting `wordRate` of the words.
    public init(wordRate: Double = 0.6) {
        self.wordRate = wordRate
    }

    private static let homoglyphs: [Character: Character] = [
        "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ", "h": "һ",
    ]
    private static let leet: [Character: Character] = ["a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"]

    /// An obfuscated copy of `text`, the same for the same `seed`.
    public func obfuscate(_ text: String, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        func chance(_ probability: Double) -> Bool { Double(random.next() >> 11) / Double(1 << 53) < probability }
        var words: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            guard word.count >= 3, word.allSatisfy(\.isLetter), chance(wordRate) else {
                words.append(String(word))
                continue
            }
            var output = ""
            let trick = random.next() % 5
            for (index, character) in word.enumerated() {
                let lower = Character(character.lowercased())
                switch trick {
                case 0: output.append(Self.homoglyphs[lower].map { chance(0.7) ? $0 : character } ?? character)
                case 1: output.append(Self.leet[lower].map { chance(0.7) ? $0 : character } ?? character)
                case 2:
                    output.append(character)
                    if index < word.count - 1, chance(0.5) { output.append("\u{200B}") }
                case 3:
                    let scalar = character.unicodeScalars.first!
                    if scalar.isASCII, character.isLetter, let wide = Unicode.Scalar(scalar.value + 0xFEE0) { output.append(Character(wide)) } else { output.append(character) }
                default:
                    output.append(character)
                    if index == 1 { output.append(String(repeating: character, count: 3)) }
                }
            }
            words.append(output)
        }
        return words.joined(separator: " ")
    }
}
