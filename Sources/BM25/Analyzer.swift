import Synchronization

/// Turns text into the terms an index stores and a query looks up.
///
/// Indexing and querying must use the same analyzer. Conform your own type to plug in
/// another language's rules; ``StandardAnalyzer`` covers English and keeps every other
/// script searchable.
public protocol Analyzer: Sendable {
    /// The terms of `text`, in order (a term may repeat).
    func terms(in text: String) -> [String]

    /// A description of the analyzer's behaviour, saved with an index so it is not loaded with a
    /// different one. The default is the type's name.
    var identifier: String { get }
}

extension Analyzer {
    /// The type's name.
    public var identifier: String { String(describing: type(of: self)) }
}

/// Words split on anything that is not a letter or digit, lowercased, optionally stripped of
/// diacritics, stopwords removed, and stemmed with the Snowball English stemmer.
///
/// Han, Hiragana, Katakana and Hangul text has no spaces between words, so a run of those
/// characters becomes overlapping character bigrams ("東京都" → "東京", "京都"); a lone
/// character stays a unigram. Everything is locale-independent: the same text gives the same
/// terms on every machine.
public struct StandardAnalyzer: Analyzer {
    /// Lucene's 33-word English stopword list (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`).
    public static let englishStopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    ]

    /// Words dropped from the terms (compared after lowercasing and folding, before stemming).
    public var stopwords: Set<String>
    /// Whether to stem with ``EnglishStemmer``.
    public var stems: Bool
    /// Whether to strip diacritics ("café" → "cafe").
    public var foldsDiacritics: Bool

    private let stemmer = EnglishStemmer()
    private let stemCache = StemCache()

    /// Creates an analyzer; by default with Lucene's English stopwords, stemming, and diacritics kept.
    public init(stopwords: Set<String> = StandardAnalyzer.englishStopwords, stems: Bool = true, foldsDiacritics: Bool = false) {
        self.stopwords = stopwords
        self.stems = stems
        self.foldsDiacritics = foldsDiacritics
    }

    /// The settings that change the terms: stemming, folding and the stopword list.
    public var identifier: String {
        "StandardAnalyzer(stems: \(stems), foldsDiacritics: \(foldsDiacritics), stopwords: \(stopwords.sorted().joined(separator: ",")))"
    }

    /// The terms of `text`, in order.
    public func terms(in text: String) -> [String] {
        var terms: [String] = []
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII text: tokens come out lowercased and need no folding; only stopwords and stems.
            forEachASCIIToken(in: text) { word in
                guard !stopwords.contains(word) else { return }
                terms.append(stems ? stemCache.stem(word, with: stemmer) : word)
            }
            return terms
        }
        forEachToken(in: text) { token in
            var word = token.utf8.contains(where: { $0 >= 0x80 || ($0 >= 65 && $0 <= 90) }) ? token.lowercased() : token
            if foldsDiacritics { word = DiacriticFolding.fold(word) }
            guard !word.isEmpty, !stopwords.contains(word) else { return }
            terms.append(stems && word.utf8.allSatisfy({ $0 < 0x80 }) ? stemCache.stem(word, with: stemmer) : word)
        }
        return terms
    }

    /// Calls `body` with each word, and each bigram of a CJK run, in order.
    func forEachToken(in text: String, _ body: (String) -> Void) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return forEachASCIIToken(in: text, body) }
        var word = String.UnicodeScalarView()
        var cjkRun: [Unicode.Scalar] = []

        func flushWord() {
            guard !word.isEmpty else { return }
            body(String(word))
            word.removeAll(keepingCapacity: true)
        }
        func flushCJK() {
            guard !cjkRun.isEmpty else { return }
            if cjkRun.count == 1 {
                body(String(Character(cjkRun[0])))
            } else {
                for index in 0..<(cjkRun.count - 1) {
                    var pair = String.UnicodeScalarView()
                    pair.append(cjkRun[index])
                    pair.append(cjkRun[index + 1])
                    body(String(pair))
                }
            }
            cjkRun.removeAll(keepingCapacity: true)
        }

        for scalar in text.unicodeScalars {
            if Self.isCJK(scalar) {
                flushWord()
                cjkRun.append(scalar)
            } else if Self.isWordCharacter(scalar) {
                flushCJK()
                word.append(scalar)
            } else {
                flushWord()
                flushCJK()
            }
        }
        flushWord()
        flushCJK()
    }

    /// The common case, ASCII text, on bytes: runs of letters and digits, already lowercased.
    private func forEachASCIIToken(in text: String, _ body: (String) -> Void) {
        var token: [UInt8] = []
        token.reserveCapacity(32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                token.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                token.append(byte + 32)
            default:
                if !token.isEmpty {
                    body(String(decoding: token, as: UTF8.self))
                    token.removeAll(keepingCapacity: true)
                }
            }
        }
        if !token.isEmpty { body(String(decoding: token, as: UTF8.self)) }
    }

    /// Letters, digits, and the combining marks that belong to them.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || (value >= 0x30 && value <= 0x39)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Han, Hiragana, Katakana and Hangul: scripts written without spaces between words.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF,  // Hiragana, Katakana
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F,  // Han
            0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
            0xFF66...0xFF9F:  // half-width Katakana
            return true
        default:
            return false
        }
    }
}

/// Remembers stems, since a corpus repeats a small vocabulary many times. Striped so parallel
/// indexing threads rarely wait for each other; each stripe stops growing at a fixed size.
final class StemCache: Sendable {
    private static let stripeCount = 16
    private static let entriesPerStripe = 1 << 14
    private final class Stripe: Sendable {
        let cache = Mutex<[String: String]>([:])
    }

    private let stripes = (0..<StemCache.stripeCount).map { _ in Stripe() }

    func stem(_ word: String, with stemmer: EnglishStemmer) -> String {
        var hasher = Hasher()
        hasher.combine(word)
        let stripe = stripes[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.stripeCount))]
        if let cached = stripe.cache.withLock({ $0[word] }) { return cached }
        let stem = stemmer.stem(word)
        stripe.cache.withLock { cache in
            if cache.count < Self.entriesPerStripe { cache[word] = stem }
        }
        return stem
    }
}
