/// A context ready to put in a prompt, with what each citation number points to.
public struct RetrievalContext: Sendable, Hashable {
    /// The assembled context.
    public var text: String
    /// Its size as measured by the builder's counter (never more than the budget).
    public var tokenCount: Int
    /// The documents included, numbered from 1 in order.
    public var citations: [Citation]
    /// Ids of documents left out because they did not fit.
    public var omitted: [String]

    /// Creates a context.
    public init(text: String, tokenCount: Int, citations: [Citation], omitted: [String]) {
        self.text = text
        self.tokenCount = tokenCount
        self.citations = citations
        self.omitted = omitted
    }

    /// The citation numbered `number`, if the context has one.
    public func citation(_ number: Int) -> Citation? {
        citations.indices.contains(number - 1) ? citations[number - 1] : nil
    }

    /// Checks the `[n]` markers in a model's answer against this context: which citations it
    /// used (in first-use order, each once) and which numbers it cited that do not exist —
    /// a sign of an invented source. `[1, 3]` and `[1][3]` are both understood.
    public func checkCitations(in answer: String) -> (cited: [Citation], unknown: [Int]) {
        var cited: [Citation] = []
        var unknown: [Int] = []
        var seen = Set<Int>()
        for number in Self.citationNumbers(in: answer) where seen.insert(number).inserted {
            if let citation = citation(number) { cited.append(citation) } else { unknown.append(number) }
        }
        return (cited, unknown)
    }

    /// Every number inside square brackets made only of digits, commas and spaces.
    static func citationNumbers(in text: String) -> [Int] {
        var numbers: [Int] = []
        var inside: [Int]? = nil
        var current: Int? = nil
        for character in text.unicodeScalars {
            switch character {
            case "[":
                inside = []
                current = nil
            case "]":
                if var list = inside {
                    if let current { list.append(current) }
                    numbers += list
                }
                inside = nil
            case "0"..."9" where inside != nil:
                let digit = Int(character.value - 48)
                current = min((current ?? 0) * 10 + digit, 1_000_000)
            case ",", " ":
                if let value = current { inside?.append(value) }
                current = nil
            default:
                inside = nil
            }
        }
        return numbers
    }
}
