/// One increment of a streamed answer.
///
/// Tool-call events are keyed by `index` (the call's position in the answer),
/// so the deltas of calls made in parallel may interleave.
public enum ChatStreamEvent: Sendable, Hashable {
    /// The provider's response id and the model that is answering, when known; sent first.
    case responseStarted(id: String?, model: String)
    /// The answer is being replayed from a response cache (sent right after ``responseStarted(id:model:)``).
    case cacheHit(CacheHit)
    /// More answer text.
    case textDelta(String)
    /// More reasoning text.
    case reasoningDelta(String)
    /// A tool call begins.
    case toolCallStarted(index: Int, id: String, name: String)
    /// More of a tool call's JSON argument text.
    case toolCallArgumentsDelta(index: Int, fragment: String)
    /// A tool call's arguments are complete.
    case toolCallEnded(index: Int)
    /// Running token totals so far (each field only grows).
    case usage(Usage)
    /// Generation stopped. Usage may still follow.
    case finished(FinishReason)
    /// A router's record of where the answer came from; sent last, once the answer is complete.
    case routed(RoutingDecision)

    /// Whether the event is part of the answer itself. Once one has reached the consumer, a failed
    /// stream can no longer be retried or sent elsewhere without the consumer seeing the answer
    /// twice; the events before it (the response id, a cache marker, usage) can be held back.
    public var isAnswerContent: Bool {
        switch self {
        case .responseStarted, .cacheHit, .usage, .routed: false
        case .textDelta, .reasoningDelta, .toolCallStarted, .toolCallArgumentsDelta, .toolCallEnded, .finished: true
        }
    }
}
