import LLMCore
import Synchronization

/// A ``ChatModel`` that answers from a script, for tests.
///
/// Each call (one-shot or streaming) consumes the next ``Step``. A response
/// step can be streamed (it is replayed as events) and a stream step can be
/// answered one-shot (it is folded with ``ChatStreamAccumulator``), so the
/// same script serves both code paths. Every request received is recorded.
///
/// ```swift
/// let model = ScriptedChatModel([
///     .failure(LLMError(kind: .rateLimited, message: "slow down")),
///     .text("Hello!"),
/// ])
/// ```
public final class ScriptedChatModel: ChatModel, Sendable {
    /// One scripted answer.
    public enum Step: Sendable {
        /// Answer with this response.
        case response(ChatResponse)
        /// Stream these events, then end, or fail with the error if one is given.
        case events([ChatStreamEvent], thenFail: LLMError?)
        /// Fail with this error.
        case failure(LLMError)
        /// Compute the answer from the request.
        case handler(@Sendable (ChatRequest) async throws(LLMError) -> ChatResponse)

        /// A plain text answer that finished normally.
        public static func text(_ text: String, model: String = "scripted", usage: Usage = .zero) -> Step {
            .response(ChatResponse(message: .assistant(text), finishReason: .stop, usage: usage, model: model))
        }
    }

    /// What to do once every step has been used.
    public enum Exhaustion: Sendable {
        /// Fail with an ``LLMError`` of kind ``LLMError/Kind/badRequest`` saying the script ran out.
        case fail
        /// Repeat the last step for ever.
        case repeatLast
    }

    private struct State {
        var steps: [Step]
        var nextStep = 0
        var requests: [ChatRequest] = []
    }

    private let state: Mutex<State>
    private let exhaustion: Exhaustion

    /// Creates a model that plays `steps` in order.
    public init(_ steps: [Step], whenExhausted exhaustion: Exhaustion = .fail) {
        state = Mutex(State(steps: steps))
        self.exhaustion = exhaustion
    }

    /// Every request received, in order.
    public var requests: [ChatRequest] { state.withLock { $0.requests } }

    /// How many steps are left (not counting repeats).
    public var remainingSteps: Int { state.withLock { $0.steps.count - min($0.nextStep, $0.steps.count) } }

    /// Appends steps to the script.
    public func append(_ steps: [Step]) {
        state.withLock { $0.steps.append(contentsOf: steps) }
    }

    /// Answers with the next step.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        switch try nextStep(for: request) {
        case .response(let response):
            return response
        case .events(let events, let failure):
            return try await ChatStream(events: events, thenFailWith: failure).response(defaultModel: request.model ?? "")
        case .failure(let error):
            throw error
        case .handler(let handler):
            return try await handler(request)
        }
    }

    /// Streams the next step.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let step: Step
        do {
            step = try nextStep(for: request)
        } catch {
            return ChatStream(failure: error)
        }
        switch step {
        case .response(let response):
            return ChatStream(events: response.streamEvents)
        case .events(let events, let failure):
            return ChatStream(events: events, thenFailWith: failure)
        case .failure(let error):
            return ChatStream(failure: error)
        case .handler(let handler):
            return ChatStream { continuation throws(LLMError) in
                for event in try await handler(request).streamEvents { continuation.yield(event) }
            }
        }
    }

    private func nextStep(for request: ChatRequest) throws(LLMError) -> Step {
        let step = state.withLock { state -> Step? in
            state.requests.append(request)
            if state.nextStep < state.steps.count {
                defer { state.nextStep += 1 }
                return state.steps[state.nextStep]
            }
            return exhaustion == .repeatLast ? state.steps.last : nil
        }
        guard let step else {
            throw LLMError(
                kind: .badRequest,
                message: "ScriptedChatModel received request \(requests.count) but its script has no more steps; add steps or use whenExhausted: .repeatLast")
        }
        return step
    }
}
