import LLMCore

/// What the pipeline extracts from a review, and the rules an extraction must follow.
public struct Extraction: Sendable, Hashable {
    /// The review's id.
    public var id: String
    /// `positive`, `neutral`, `negative` or `mixed`.
    public var sentiment: String
    /// Topics from ``ReviewSchema/topics``.
    public var topics: [String]
    /// How urgently someone should look at it, 1 (not) to 5 (now).
    public var urgency: Int
    /// At most 200 characters.
    public var summary: String
}

/// The extraction schema: the JSON schema sent to the model and the validation applied to every
/// item it returns, with a reason for each rejection.
public enum ReviewSchema {
    /// The allowed sentiments.
    public static let sentiments = ["positive", "neutral", "negative", "mixed"]
    /// The fixed topic taxonomy.
    public static let topics = [
        "delivery", "price", "quality", "customer-service", "usability", "performance", "billing", "packaging",
        "returns", "other",
    ]
    /// The longest summary, in characters.
    public static let maximumSummaryCharacters = 200

    /// The JSON schema of one item.
    public static let itemSchema: JSONValue = [
        "type": "object",
        "properties": [
            "id": ["type": "string"],
            "sentiment": ["type": "string", "enum": .array(sentiments.map { .string($0) })],
            "topics": ["type": "array", "items": ["type": "string", "enum": .array(topics.map { .string($0) })]],
            "urgency": ["type": "integer", "minimum": 1, "maximum": 5],
            "summary": ["type": "string", "maxLength": .integer(Int64(maximumSummaryCharacters))],
        ],
        "required": ["id", "sentiment", "topics", "urgency", "summary"],
        "additionalProperties": false,
    ]

    /// The JSON schema of an answer: `{"results": [item, …]}`.
    public static let answerSchema: JSONValue = [
        "type": "object",
        "properties": ["results": ["type": "array", "items": itemSchema]],
        "required": ["results"],
        "additionalProperties": false,
    ]

    /// Checks one answered item.
    ///
    /// - Returns: The extraction, or every reason it is invalid (a missing field, a wrong type, a
    ///   value outside the allowed set or range, a summary too long).
    public static func validate(_ item: JSONValue) -> Result<Extraction, ValidationFailure> {
        guard case .object = item else { return .failure(ValidationFailure(reasons: ["the item is not a JSON object"])) }
        var reasons: [String] = []
        func string(_ field: String) -> String? {
            switch item[field] {
            case nil: reasons.append("missing field '\(field)'")
            case .string(let value)?: return value
            case let other?: reasons.append("'\(field)' is \(kind(of: other)), not a string")
            }
            return nil
        }
        let id = string("id")
        let sentiment = string("sentiment")
        if let sentiment, !sentiments.contains(sentiment) {
            reasons.append("sentiment '\(sentiment)' is not one of \(sentiments.joined(separator: ", "))")
        }
        var topicList: [String] = []
        switch item["topics"] {
        case nil: reasons.append("missing field 'topics'")
        case .array(let values)?:
            for value in values {
                guard case .string(let topic) = value else {
                    reasons.append("a topic is \(kind(of: value)), not a string")
                    continue
                }
                if topics.contains(topic) { topicList.append(topic) } else { reasons.append("topic '\(topic)' is not in the taxonomy") }
            }
        case let other?: reasons.append("'topics' is \(kind(of: other)), not an array")
        }
        var urgency = 0
        switch item["urgency"] {
        case nil: reasons.append("missing field 'urgency'")
        case .integer(let value)?:
            if (1...5).contains(value) { urgency = Int(value) } else { reasons.append("urgency \(value) is outside 1–5") }
        case .double(let value)?: reasons.append("urgency \(value) is not an integer")
        case let other?: reasons.append("'urgency' is \(kind(of: other)), not an integer")
        }
        let summary = string("summary")
        if let summary, summary.count > maximumSummaryCharacters {
            reasons.append("summary is \(summary.count) characters (the limit is \(maximumSummaryCharacters))")
        }
        guard reasons.isEmpty, let id, let sentiment, let summary else { return .failure(ValidationFailure(reasons: reasons)) }
        return .success(Extraction(id: id, sentiment: sentiment, topics: topicList, urgency: urgency, summary: summary))
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why an answered item was rejected.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found.
    public var reasons: [String]

    /// The reasons, joined.
    public var description: String { reasons.joined(separator: "; ") }
}
