/// The character classes tiktoken's split patterns use, as bit flags per Unicode scalar.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    /// Lu, Lt.
    static let upperLetter = ScalarClass(rawValue: 1)
    /// Ll.
    static let lowerLetter = ScalarClass(rawValue: 2)
    /// Lm, Lo.
    static let otherLetter = ScalarClass(rawValue: 4)
    /// Mn, Mc, Me.
    static let mark = ScalarClass(rawValue: 8)
    /// Nd, Nl, No.
    static let number = ScalarClass(rawValue: 16)
    /// The Unicode White_Space property (the regex `\s`).
    static let whitespace = ScalarClass(rawValue: 32)
    /// CR or LF.
    static let newline = ScalarClass(rawValue: 64)
    /// '/', for o200k's `[\r\n/]*` punctuation tail (it is also "other" punctuation).
    static let slash = ScalarClass(rawValue: 128)

    /// `\p{L}`.
    var isLetter: Bool { rawValue & 7 != 0 }
    /// `\p{N}`.
    var isNumber: Bool { rawValue & 16 != 0 }
    /// `\s`.
    var isWhitespace: Bool { rawValue & 32 != 0 }
    /// CR or LF.
    var isNewline: Bool { rawValue & 64 != 0 }
    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls that are not white space.
    var isOther: Bool { rawValue & (1 | 2 | 4 | 16 | 32) == 0 }
    /// `[^\r\n\p{L}\p{N}]`: the optional lead character of a word.
    var isWordLead: Bool { rawValue & (1 | 2 | 4 | 16 | 64) == 0 }
    /// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    var isUpperRun: Bool { rawValue & (1 | 4 | 8) != 0 }
    /// o200k's `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    var isLowerRun: Bool { rawValue & (2 | 4 | 8) != 0 }

    static let asciiTable: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        scalar.value < 128 ? asciiTable[Int(scalar.value)] : classify(scalar)
    }

    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        var result: ScalarClass = []
        if scalar.properties.isWhitespace { result.insert(.whitespace) }
        if scalar == "\r" || scalar == "\n" { result.insert(.newline) }
        if scalar == "/" { result.insert(.slash) }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: result.insert(.upperLetter)
        case .lowercaseLetter: result.insert(.lowerLetter)
        case .modifierLetter, .otherLetter: result.insert(.otherLetter)
        case .nonspacingMark, .spacingMark, .enclosingMark: result.insert(.mark)
        case .decimalNumber, .letterNumber, .otherNumber: result.insert(.number)
        default: break
        }
        return result
    }
}
