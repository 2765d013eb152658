import LLMCore

/// A transparent rule-based ``RequestClassifier``: it scores a request on signals of difficulty and
/// maps the score to a tier, explaining which signals fired.
///
/// Signals (points): the latest user message's length (+1 from ``Thresholds/longMessageTokens``,
/// +2 from ``Thresholds/veryLongMessageTokens``); code — a fenced block or code-like lines (+2);
/// mathematics — formulas, LaTeX, or words such as "prove" and "integral" (+2); several questions
/// or a numbered list of asks (+1, or +2 from four); a request for reasoning — "step by step",
/// "explain why", "compare", "trade-offs", "design" (+2); conversation depth (+1 from six earlier
/// messages, +2 from twelve); tools offered (+1). A score up to ``Thresholds/mediumFrom`` − 1 is
/// ``Tier/simple``, up to ``Thresholds/complexFrom`` − 1 ``Tier/medium``, else ``Tier/complex``.
///
/// It costs microseconds and no tokens, and it is wrong sometimes; ``ModelClassifier`` asks a cheap
/// model instead and falls back to this one.
public struct HeuristicClassifier: RequestClassifier {
    /// The score boundaries and length limits.
    public struct Thresholds: Sendable, Hashable {
        /// The lowest score classified ``Tier/medium``. Default 2.
        public var mediumFrom: Int
        /// The lowest score classified ``Tier/complex``. Default 4.
        public var complexFrom: Int
        /// A latest message at least this many tokens scores +1. Default 150.
        public var longMessageTokens: Int
        /// A latest message at least this many tokens scores +2. Default 600.
        public var veryLongMessageTokens: Int

        /// Creates thresholds.
        public init(mediumFrom: Int = 2, complexFrom: Int = 4, longMessageTokens: Int = 150, veryLongMessageTokens: Int = 600) {
            self.mediumFrom = mediumFrom
            self.complexFrom = complexFrom
            self.longMessageTokens = longMessageTokens
            self.veryLongMessageTokens = veryLongMessageTokens
        }
    }

    /// The score boundaries in use.
    public var thresholds: Thresholds
    /// Counts the latest message's tokens.
    public var tokenCounter: any TokenCounter

    /// Creates a classifier.
    public init(thresholds: Thresholds = Thresholds(), tokenCounter: any TokenCounter = ApproximateTokenCounter()) {
        self.thresholds = thresholds
        self.tokenCounter = tokenCounter
    }

    /// The tier for `request`, with the signals that decided it.
    public func classify(_ request: ChatRequest) async -> TierVerdict {
        verdict(for: request)
    }

    /// The same verdict, synchronously.
    public func verdict(for request: ChatRequest) -> TierVerdict {
        let signals = self.signals(in: request)
        let score = signals.reduce(0) { $0 + $1.points }
        let tier: Tier = score >= thresholds.complexFrom ? .complex : score >= thresholds.mediumFrom ? .medium : .simple
        let because = signals.isEmpty ? "no sign of difficulty" : signals.map { "\($0.name) +\($0.points)" }.joined(separator: ", ")
        return TierVerdict(tier: tier, reason: "heuristic score \(score) (\(because)) → \(tier)")
    }

    private struct Signal {
        var name: String
        var points: Int
    }

    private func signals(in request: ChatRequest) -> [Signal] {
        let latest = request.messages.last { $0.role == .user }?.text ?? ""
        // Every rule reads ASCII-lowercased UTF-8: a few microseconds for a long message.
        let text = Array(latest.utf8).map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        var signals: [Signal] = []

        let tokens = tokenCounter.tokenCount(of: latest)
        if tokens >= thresholds.veryLongMessageTokens {
            signals.append(Signal(name: "\(tokens)-token message", points: 2))
        } else if tokens >= thresholds.longMessageTokens {
            signals.append(Signal(name: "\(tokens)-token message", points: 1))
        }
        if Self.looksLikeCode(text) { signals.append(Signal(name: "code", points: 2)) }
        if Self.looksLikeMath(text, original: latest) { signals.append(Signal(name: "mathematics", points: 2)) }
        let asks = Self.countAsks(text)
        if asks >= 4 {
            signals.append(Signal(name: "\(asks)-part request", points: 2))
        } else if asks >= 2 {
            signals.append(Signal(name: "\(asks)-part request", points: 1))
        }
        if let phrase = Self.reasoningPhrases.first(where: { text.contains(bytes: $0) }) {
            signals.append(Signal(name: "asks for reasoning (\"\(String(decoding: phrase, as: UTF8.self))\")", points: 2))
        }
        let earlier = max(0, request.messages.count - 1)
        if earlier >= 12 {
            signals.append(Signal(name: "\(earlier) earlier messages", points: 2))
        } else if earlier >= 6 {
            signals.append(Signal(name: "\(earlier) earlier messages", points: 1))
        }
        if !request.tools.isEmpty { signals.append(Signal(name: "tools offered", points: 1)) }
        return signals
    }

    private static let reasoningPhrases = [
        "step by step", "step-by-step", "explain why", "reason through", "think through", "prove that",
        "compare", "trade-off", "tradeoff", "pros and cons", "analyze", "analyse", "evaluate",
        "design a", "architect", "optimize", "optimise", "debug", "derive", "justify",
    ].map { Array($0.utf8) }

    private static let codeMarkers = [
        "func ", "def ", "class ", "import ", "#include", "return ", "let ", "var ", "const ", "=>", "->",
        "();", "});", "select ", "fn ", "public ", "println", "console.log", "stack trace", "traceback",
    ].map { Array($0.utf8) }

    /// A fenced block, or at least two lines that look like code.
    private static func looksLikeCode(_ text: [UInt8]) -> Bool {
        if text.contains(bytes: Array("```".utf8)) { return true }
        var codeLines = 0
        for line in text.split(separator: UInt8(ascii: "\n")) {
            let trimmed = Array(line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            let endsStatement = trimmed.last == UInt8(ascii: ";")
            if codeMarkers.contains(where: { trimmed.starts(with: $0) || endsStatement && trimmed.contains(bytes: $0) })
                || trimmed.last == UInt8(ascii: "{") || trimmed == [UInt8(ascii: "}")]
            {
                codeLines += 1
            }
        }
        return codeLines >= 2
    }

    private static let mathWords = [
        "integral", "derivative", "equation", "prove ", "proof", "theorem", "probability", "matrix",
        "eigen", "solve for", "calculate", "compute the", "\\frac", "\\sum", "\\int",
    ].map { Array($0.utf8) }

    private static let mathSymbols = Set("∫∑√≤≥≠π∞∂".unicodeScalars)

    /// Mathematical words or symbols, or at least two formulas: an operator between two numbers, or
    /// between a number and a one-letter variable ("3*4", "2x+1", "x^2"); "GPT-4" is not one.
    private static func looksLikeMath(_ text: [UInt8], original: String) -> Bool {
        if mathWords.contains(where: { text.contains(bytes: $0) }) { return true }
        if text.contains(where: { $0 >= 0x80 }), original.unicodeScalars.contains(where: { mathSymbols.contains($0) }) { return true }
        let compact = text.filter { $0 != UInt8(ascii: " ") }
        func isDigit(_ index: Int) -> Bool { compact[index] >= 48 && compact[index] <= 57 }
        func isLetter(_ index: Int) -> Bool {
            index >= 0 && index < compact.count && compact[index] >= 97 && compact[index] <= 122
        }
        func isVariable(_ index: Int) -> Bool { isLetter(index) && !isLetter(index - 1) && !isLetter(index + 1) }
        var formulas = 0
        for index in compact.indices.dropFirst().dropLast() where Self.operators.contains(compact[index]) {
            let left = index - 1, right = index + 1
            if (isDigit(left) && (isDigit(right) || isVariable(right))) || (isVariable(left) && isDigit(right)) {
                formulas += 1
                if formulas >= 2 { return true }
            }
        }
        return false
    }

    private static let operators: Set<UInt8> = Set("+-*/^=".utf8)

    /// Question marks, or numbered items ("1.", "2)") at the start of lines, whichever is more.
    private static func countAsks(_ text: [UInt8]) -> Int {
        let questions = text.reduce(0) { $1 == UInt8(ascii: "?") ? $0 + 1 : $0 }
        var items = 0
        for line in text.split(separator: UInt8(ascii: "\n")) {
            let trimmed = line.drop { $0 == UInt8(ascii: " ") }
            let digits = trimmed.prefix { $0 >= 48 && $0 <= 57 }
            if !digits.isEmpty, digits.count <= 2, let next = trimmed.dropFirst(digits.count).first,
                next == UInt8(ascii: ".") || next == UInt8(ascii: ")")
            {
                items += 1
            }
        }
        return max(questions, items)
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the array.
    fileprivate func contains(bytes needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= count else { return needle.isEmpty }
        var index = 0
        let last = count - needle.count
        while index <= last {
            if self[index] == first {
                var matched = 1
                while matched < needle.count && self[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            index += 1
        }
        return false
    }
}
