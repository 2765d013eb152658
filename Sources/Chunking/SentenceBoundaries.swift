/// Finds where sentences end in UTF-8 text, by rule: a terminator (`.`, `!`, `?`, `…`, or the
/// CJK `。！？`), then any closing quotes or brackets, then white space (CJK terminators need none).
/// The cut goes after that white space. It is not a sentence end when:
/// - the word before a `.` is a known abbreviation ("e.g.", "Dr.", "etc.", "U.S.") or a single
///   capital letter (an initial, "J. Smith");
/// - the next word starts with a lowercase letter ("... and then", "approx. five");
/// - there is no white space after it (decimals such as 3.14, "e.g.," or file.txt).
enum SentenceBoundaries {
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "no", "fig", "figs", "al",
        "approx", "dept", "est", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "u.s", "u.k", "a.m", "p.m", "cf", "ca", "vol", "pp", "ed", "eds", "gen", "col",
        "lt", "sgt", "capt", "rev", "hon", "gov", "pres", "ph.d", "b.a", "m.a", "ave", "blvd", "rd",
    ]

    static func cuts(in range: Range<Int>, of bytes: [UInt8]) -> [Int] {
        var cuts: [Int] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            var terminatorEnd = -1
            var needsSpace = true
            if isTerminator(byte) {
                terminatorEnd = index + 1
                while terminatorEnd < range.upperBound, isTerminator(bytes[terminatorEnd]) { terminatorEnd += 1 }
                if byte == UInt8(ascii: "."), terminatorEnd == index + 1, isAbbreviation(before: index, in: bytes, from: range.lowerBound) {
                    terminatorEnd = -1
                }
            } else if byte == 0xE2, index + 2 < range.upperBound, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA6 {
                terminatorEnd = index + 3  // …
            } else if byte == 0xE3, index + 2 < range.upperBound, bytes[index + 1] == 0x80, bytes[index + 2] == 0x82 {
                terminatorEnd = index + 3  // 。
                needsSpace = false
            } else if byte == 0xEF, index + 2 < range.upperBound, bytes[index + 1] == 0xBC,
                bytes[index + 2] == 0x81 || bytes[index + 2] == 0x9F
            {
                terminatorEnd = index + 3  // ！ ？
                needsSpace = false
            }
            guard terminatorEnd > 0 else {
                index += 1
                continue
            }
            var end = skipClosers(from: terminatorEnd, in: bytes, limit: range.upperBound)
            let spaceStart = end
            while end < range.upperBound, bytes[end] == 32 || bytes[end] == 9 || bytes[end] == 10 || bytes[end] == 13 { end += 1 }
            let hasSpace = end > spaceStart
            if (hasSpace || !needsSpace), end < range.upperBound, !startsLowercase(at: end, in: bytes) {
                cuts.append(end)
            }
            index = max(end, index + 1)
        }
        return cuts
    }

    private static func isTerminator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "?")
    }

    /// Closing quotes and brackets after a terminator: " ' ) ] ” ’ » 」 』.
    private static func skipClosers(from start: Int, in bytes: [UInt8], limit: Int) -> Int {
        var index = start
        while index < limit {
            let byte = bytes[index]
            if byte == 34 || byte == 39 || byte == 41 || byte == 93 {
                index += 1
            } else if byte == 0xE2, index + 2 < limit, bytes[index + 1] == 0x80, bytes[index + 2] == 0x9D || bytes[index + 2] == 0x99 {
                index += 3
            } else if byte == 0xC2, index + 1 < limit, bytes[index + 1] == 0xBB {
                index += 2
            } else if byte == 0xE3, index + 2 < limit, bytes[index + 1] == 0x80, bytes[index + 2] == 0x8D || bytes[index + 2] == 0x8F {
                index += 3
            } else {
                break
            }
        }
        return index
    }

    private static func isAbbreviation(before dot: Int, in bytes: [UInt8], from lowerBound: Int) -> Bool {
        var start = dot
        while start > lowerBound {
            let byte = bytes[start - 1]
            let isWordByte = (65...90).contains(byte) || (97...122).contains(byte) || byte == UInt8(ascii: ".")
            guard isWordByte else { break }
            start -= 1
        }
        guard start < dot else { return false }
        let word = String(decoding: bytes[start..<dot], as: UTF8.self)
        if word.count == 1, let first = word.unicodeScalars.first, (65...90).contains(first.value) { return true }
        return abbreviations.contains(word.lowercased())
    }

    private static func startsLowercase(at index: Int, in bytes: [UInt8]) -> Bool {
        (97...122).contains(bytes[index])
    }
}
