import LLMCache
import Synchronization

/// One user's conversation: the last few turns, sent with each question so follow-ups make sense.
public final class Conversation: Sendable {
    /// The conversation's id, written to the audit log.
    public let id: String
    /// The most turns kept.
    public let capacity: Int
    private let turns = Mutex<[(question: String, answer: String)]>([])

    /// Creates an empty conversation keeping the last `capacity` turns.
    public init(id: String, capacity: Int = 5) {
        self.id = id
        self.capacity = max(0, capacity)
    }

    /// The kept turns, oldest first.
    public var history: [(question: String, answer: String)] { turns.withLock { $0 } }

    /// Adds a turn, forgetting the oldest beyond the capacity.
    public func append(question: String, answer: String) {
        turns.withLock { turns in
            turns.append((question, answer))
            if turns.count > capacity { turns.removeFirst(turns.count - capacity) }
        }
    }

    /// Identifies what a question in this conversation may depend on — the previous turn — so
    /// cached answers are shared between first questions, and a follow-up is only answered from the
    /// cache after the same previous turn.
    var cachePartition: CacheKey {
        guard let last = history.last else { return CacheKey(hashing: "first turn") }
        return CacheKey(hashing: "after\u{0}" + last.question + "\u{0}" + last.answer)
    }
}
