import Foundation

/// Undoes the tricks people use to slip text past a filter, for classification only — never for
/// what is displayed or stored.
///
/// In order: Unicode NFKC (fullwidth forms and mathematical alphanumerics become plain letters),
/// lowercasing, removal of zero-width and bidirectional control characters (and soft hyphens), a
/// confusables map (Cyrillic and Greek look-alikes of Latin letters), leetspeak inside words that
/// also contain letters ("h4te" → "hate", "@ss" → "ass", "sh!t" → "shit", but "2024" and "@someone"
/// stay), and squeezing any character repeated three or more times to two ("haaaate" → "haate").
/// Every rule can be switched off.
public struct TextNormalizer: Sendable {
    /// The rules to apply.
    public struct Rules: OptionSet, Sendable, Hashable {
        /// The option bits.
        public let rawValue: Int
        /// Creates rules from bits.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Unicode compatibility composition (NFKC).
        public static let compatibilityForms = Rules(rawValue: 1 << 0)
        /// Lowercasing.
        public static let caseFolding = Rules(rawValue: 1 << 1)
        /// Removing zero-width, bidirectional control and soft-hyphen characters.
        public static let invisibleCharacters = Rules(rawValue: 1 << 2)
        /// Mapping Cyrillic and Greek look-alikes to Latin letters.
        public static let confusables = Rules(rawValue: 1 << 3)
        /// Mapping digits and symbols used as letters inside words.
        public static let leetspeak = Rules(rawValue: 1 << 4)
        /// Squeezing runs of three or more equal characters to two.
        public static let repeatedCharacters = Rules(rawValue: 1 << 5)
        /// Every rule.
        public static let all: Rules = [.compatibilityForms, .caseFolding, .invisibleCharacters, .confusables, .leetspeak, .repeatedCharacters]
    }

    /// The rules applied.
    public var rules: Rules

    /// Creates a normalizer applying `rules` (default: all).
    public init(rules: Rules = .all) {
        self.rules = rules
    }

    /// The text to classify in place of `text`.
    public func normalize(_ text: String) -> String {
        var text = text
        if rules.contains(.invisibleCharacters) {
            text = String(String.UnicodeScalarView(text.unicodeScalars.filter { !Self.invisible($0) }))
        }
        if rules.contains(.compatibilityForms) { text = text.precomposedStringWithCompatibilityMapping }
        if rules.contains(.caseFolding) { text = text.lowercased() }
        if rules.contains(.confusables) {
            text = String(String.UnicodeScalarView(text.unicodeScalars.map { Self.confusables[$0] ?? $0 }))
        }
        if rules.contains(.leetspeak) { text = Self.replacingLeetspeak(in: text) }
        if rules.contains(.repeatedCharacters) { text = Self.squeezingRepeats(in: text) }
        return text
    }

    /// Zero-width characters, joiners, bidirectional controls, the soft hyphen, the BOM.
    static func invisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064,
            0x2066...0x206F, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0:
            return true
        default:
            return false
        }
    }

    /// Lowercase Cyrillic and Greek letters that look like Latin ones.
    static let confusables: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            // Cyrillic
            ("а", "a"), ("в", "b"), ("е", "e"), ("ё", "e"), ("з", "3"), ("і", "i"), ("ї", "i"), ("ј", "j"), ("к", "k"),
            ("м", "m"), ("н", "h"), ("о", "o"), ("р", "p"), ("с", "c"), ("т", "t"), ("у", "y"), ("х", "x"), ("ѕ", "s"),
            ("һ", "h"), ("ԁ", "d"), ("ԛ", "q"), ("ԝ", "w"), ("ү", "y"), ("ӏ", "l"), ("ɡ", "g"),
            // Greek
            ("α", "a"), ("β", "b"), ("ε", "e"), ("η", "n"), ("ι", "i"), ("κ", "k"), ("ν", "v"), ("ο", "o"), ("ρ", "p"),
            ("τ", "t"), ("υ", "u"), ("χ", "x"), ("γ", "y"), ("ω", "w"), ("ς", "s"),
        ]
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (from, to) in pairs { map[from.unicodeScalars.first!] = to.unicodeScalars.first! }
        return map
    }()

    private static let leet: [Character: Character] = [
        "4": "a", "@": "a", "8": "b", "3": "e", "6": "g", "9": "g", "1": "i", "!": "i", "|": "l", "0": "o", "5": "s",
        "$": "s", "7": "t", "+": "t",
    ]

    /// Maps leet characters in words that also have letters. A word's trailing `!`s are punctuation,
    /// and `@` followed by four or more characters starts a mention, not a word.
    static func replacingLeetspeak(in text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var word: [Character] = []
        func flush() {
            defer { word.removeAll(keepingCapacity: true) }
            guard word.contains(where: \.isLetter), word.contains(where: { leet[$0] != nil }) else {
                output.append(contentsOf: word)
                return
            }
            var end = word.count
            while end > 0, word[end - 1] == "!" || word[end - 1] == "." || word[end - 1] == "?" { end -= 1 }
            let isMention = word.first == "@" && end > 4
            for (index, character) in word.enumerated() {
                if index < end, !(isMention && index == 0), let letter = leet[character] {
                    output.append(letter)
                } else {
                    output.append(character)
                }
            }
        }
        for character in text {
            if character.isWhitespace || (character.isPunctuation && leet[character] == nil) {
                flush()
                output.append(character)
            } else {
                word.append(character)
            }
        }
        flush()
        return output
    }

    /// Runs of three or more equal characters cut to two.
    static func squeezingRepeats(in text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var previous: Character?
        var run = 0
        for character in text {
            if character == previous {
                run += 1
            } else {
                previous = character
                run = 1
            }
            if run <= 2 { output.append(character) }
        }
        return output
    }
}
