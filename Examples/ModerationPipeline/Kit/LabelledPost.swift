import BatchProcessing
import LLMCore

/// A post to moderate, with its label when the data has one.
public struct LabelledPost: Sendable, Hashable {
    /// The post's id.
    public var id: String
    /// The text as posted (never changed; normalization is for classification only).
    public var text: String
    /// Whether annotators judged it harmful, when known.
    public var harmful: Bool?

    /// Creates a post.
    public init(id: String, text: String, harmful: Bool? = nil) {
        self.id = id
        self.text = text
        self.harmful = harmful
    }

    /// Reads a JSON Lines file of `{"id", "text", "label": "harmful" | "safe"}` (label optional).
    ///
    /// - Throws: ``ModerationError/data(_:)`` naming the first malformed line.
    public static func read(_ path: String) throws -> [LabelledPost] {
        var posts: [LabelledPost] = []
        for line in try JSONLinesReader(path: path) {
            guard let text = line.text, !text.isEmpty else { continue }
            guard let json = try? JSONValue(parsing: text), case .string(let id)? = json["id"], case .string(let body)? = json["text"] else {
                throw ModerationError.data("\(path) line \(line.number) is not {\"id\": …, \"text\": …}")
            }
            var harmful: Bool?
            switch json["label"]?.stringValue {
            case "harmful"?: harmful = true
            case "safe"?: harmful = false
            case nil: harmful = nil
            case let other?: throw ModerationError.data("\(path) line \(line.number) has label \(other); expected harmful or safe")
            }
            posts.append(LabelledPost(id: id, text: body, harmful: harmful))
        }
        return posts
    }
}

/// What can stop a moderation command.
public enum ModerationError: Error, CustomStringConvertible {
    /// Input data is malformed or missing.
    case data(String)

    /// What went wrong.
    public var description: String {
        switch self {
        case .data(let message): message
        }
    }
}
