import LLMCore

/// One pipeline step and how long it took.
public struct StepTiming: Sendable, Codable, Hashable {
    /// The step: `rate-limit`, `intent`, `exact-cache`, `semantic-cache`, `retrieval`, `confidence-gate`,
    /// `context`, `generation`, `citation-check`, `history`, `audit-log`.
    public var name: String
    /// Wall time in milliseconds.
    public var milliseconds: Double
    /// What the step decided, in a few words.
    public var note: String
}

/// A documentation section an answer cites.
public struct SourceReference: Sendable, Codable, Hashable {
    /// The citation number used in the answer (`[1]`).
    public var number: Int
    /// The chunk's id (`chapter#index`).
    public var id: String
    /// The chapter's id.
    public var chapter: String
    /// The section's id (`chapter/section`).
    public var section: String
    /// The heading path.
    public var title: String
}

/// Something the chatbot shows while it works.
public enum ChatbotEvent: Sendable {
    /// A step finished.
    case step(StepTiming)
    /// More of the answer.
    case text(String)
    /// The streamed answer failed its check and is replaced by `answer`.
    case withdrawn(reason: String, answer: String)
}

/// Everything about one question and its answer: what the caller gets back and what the audit
/// log stores, one JSON line per turn.
public struct TurnRecord: Sendable, Codable {
    /// When the question arrived (ISO 8601, UTC).
    public var timestamp: String
    /// Who asked.
    public var user: String
    /// The conversation it belongs to.
    public var conversation: String
    /// The question as received (cut to 2,000 characters, control characters removed).
    public var question: String
    /// The intent, once classified.
    public var intent: Intent?
    /// The final answer shown.
    public var answer: String
    /// The sources the answer cites.
    public var sources: [SourceReference] = []
    /// The chunks retrieval returned, best first.
    public var retrieved: [String] = []
    /// The retrieval confidence the gate saw, when retrieval ran.
    public var confidence: Double?
    /// Whether the turn was handed to a person.
    public var escalated = false
    /// Why, when it was.
    public var escalationReason: String?
    /// `exact` or `semantic` when a cache answered.
    public var cacheHit: String?
    /// The model deployment that answered, when a model did.
    public var deployment: String?
    /// The exact cost of the model call, in dollars.
    public var cost = Cost.zero
    /// Each step with its latency.
    public var steps: [StepTiming] = []
    /// Total wall time in milliseconds.
    public var totalMilliseconds = 0.0
    /// A failure that shaped the answer (a provider error, a storage error), if any.
    public var error: String?
}
