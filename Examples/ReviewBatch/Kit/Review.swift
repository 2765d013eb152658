import BatchProcessing
import LLMCache
import LLMCore

/// One review to extract from: its id, its text and where it was in the input.
public struct Review: Sendable, Hashable {
    /// The review's id (numbers in the input become their decimal text).
    public var id: String
    /// The review's text.
    public var text: String
    /// Its line in the input file, from 1.
    public var line: Int

    /// Creates a review.
    public init(id: String, text: String, line: Int) {
        self.id = id
        self.text = text
        self.line = line
    }

    /// Identifies the text regardless of case and spacing, for finding duplicates.
    public var contentHash: String {
        CacheKey(hashing: text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")).hex
    }
}

/// What one input line holds.
public enum InputLine: Sendable {
    /// A usable review.
    case review(Review)
    /// A line that cannot be processed, with the id it will be reported under (its own, or
    /// `line:N` when it has none) and why.
    case malformed(id: String, line: Int, reason: String)

    /// Reads an input line: a JSON object with an `id` (string or integer) and a non-empty `text`.
    public init(_ line: JSONLinesReader.Line) {
        let fallbackID = "line:\(line.number)"
        guard let text = line.text else {
            self = .malformed(
                id: fallbackID, line: line.number,
                reason: line.isTooLong ? "the line is longer than the reader's limit" : "the line is not valid UTF-8")
            return
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            self = .malformed(id: fallbackID, line: line.number, reason: "not JSON: \(error)")
            return
        }
        guard case .object = json else {
            self = .malformed(id: fallbackID, line: line.number, reason: "not a JSON object")
            return
        }
        let id: String
        switch json["id"] {
        case .string(let value)? where !value.isEmpty: id = value
        case .integer(let number)?: id = String(number)
        default:
            self = .malformed(id: fallbackID, line: line.number, reason: "no usable \"id\" (a non-empty string or an integer)")
            return
        }
        guard case .string(let body)? = json["text"], body.contains(where: { !$0.isWhitespace }) else {
            self = .malformed(id: id, line: line.number, reason: "no \"text\", or only whitespace")
            return
        }
        self = .review(Review(id: id, text: body, line: line.number))
    }
}
