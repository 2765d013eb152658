/// What can stop the chatbot from starting or evaluating.
public enum ChatbotError: Error, CustomStringConvertible {
    /// The documentation could not be read or indexed.
    case knowledgeBase(String)
    /// An evaluation file is malformed.
    case evaluation(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .knowledgeBase(let message): "knowledge base: \(message)"
        case .evaluation(let message): "evaluation file: \(message)"
        }
    }
}
