import LLMCore
import Synchronization

/// A ``RequestClassifier`` that asks a cheap model which tier a request belongs to, remembers the
/// answer for the same question, and falls back to another classifier when the model fails.
///
/// The model is asked for JSON (`{"tier": "simple"}`) under a JSON schema; a plain one-word answer
/// is accepted too, since small local models often ignore schemas. An answer naming no known tier,
/// an error or a timeout all give the fallback's verdict, with the reason saying so — a routing
/// hint is never worth failing the user's request.
///
/// ```swift
/// let classifier = ModelClassifier(model: mini, modelName: "gpt-4o-mini")
/// let router = try ModelRouter(deployments: [...], routes: [...], classifier: classifier)
/// ```
public final class ModelClassifier: RequestClassifier {
    /// What the classifier has done since it was made.
    public struct Statistics: Sendable, Hashable {
        /// Verdicts served from the cache.
        public var cacheHits: Int
        /// Verdicts the model gave.
        public var modelVerdicts: Int
        /// Verdicts the fallback gave because the model failed or answered something unusable.
        public var fallbacks: Int
    }

    private struct State {
        var verdicts: [String: TierVerdict] = [:]
        /// Keys in insertion order, oldest first, for evicting when the cache is full.
        var order: [String] = []
        var oldest = 0
        var statistics = Statistics(cacheHits: 0, modelVerdicts: 0, fallbacks: 0)
    }

    /// The model asked.
    public let model: any ChatModel
    /// Written into the classification request's model field, when set.
    public let modelName: String?
    /// The tiers the model may answer with, easiest first, each with a description it is shown.
    public let tiers: [(tier: Tier, meaning: String)]
    /// Gives the verdict when the model cannot.
    public let fallback: any RequestClassifier
    /// The most verdicts remembered.
    public let cacheCapacity: Int
    private let state = Mutex(State())

    /// The default tiers and what each means to the model.
    public static let standardTiers: [(tier: Tier, meaning: String)] = [
        (.simple, "a short factual question, a lookup, a greeting, rewording or translating a short text"),
        (.medium, "an explanation, a summary, a how-to with a few steps, moderate reasoning"),
        (.complex, "multi-step reasoning, mathematics, writing or debugging code, long or many-part requests, design decisions"),
    ]

    /// Creates a classifier.
    ///
    /// - Parameters:
    ///   - model: A cheap, fast model; wrap it in a timeout so a slow verdict cannot delay requests.
    ///   - modelName: The model to ask for, if the client serves several.
    ///   - tiers: The tiers to choose among, with what each means.
    ///   - fallback: Decides when the model cannot. Default: ``HeuristicClassifier``.
    ///   - cacheCapacity: How many verdicts to remember (the oldest are forgotten first).
    public init(
        model: any ChatModel, modelName: String? = nil, tiers: [(tier: Tier, meaning: String)] = ModelClassifier.standardTiers,
        fallback: any RequestClassifier = HeuristicClassifier(), cacheCapacity: Int = 10_000
    ) {
        self.model = model
        self.modelName = modelName
        self.tiers = tiers
        self.fallback = fallback
        self.cacheCapacity = max(1, cacheCapacity)
    }

    /// What the classifier has done so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The tier for `request`: remembered, asked of the model, or the fallback's.
    public func classify(_ request: ChatRequest) async -> TierVerdict {
        let question = request.messages.last { $0.role == .user }?.text ?? ""
        let key = (request.systemPrompt ?? "") + "\u{0}" + question
        if let known = state.withLock({ state -> TierVerdict? in
            guard let verdict = state.verdicts[key] else { return nil }
            state.statistics.cacheHits += 1
            return verdict
        }) {
            return known
        }
        let verdict: TierVerdict
        do {
            let answer = try await model.respond(to: classificationRequest(for: question, depth: request.messages.count))
            guard let tier = tier(in: answer.text) else {
                return await fallBack(request, because: "the classifier model answered \(String(answer.text.prefix(60)).debugDescription)")
            }
            verdict = TierVerdict(tier: tier, reason: "classifier model \(answer.model.isEmpty ? "" : answer.model + " ")says \(tier)")
        } catch {
            return await fallBack(request, because: "the classifier model failed (\(error.kind.rawValue))")
        }
        remember(verdict, for: key)
        return verdict
    }

    private func fallBack(_ request: ChatRequest, because problem: String) async -> TierVerdict {
        state.withLock { $0.statistics.fallbacks += 1 }
        var verdict = await fallback.classify(request)
        verdict.reason = problem + "; " + verdict.reason
        return verdict
    }

    private func remember(_ verdict: TierVerdict, for key: String) {
        state.withLock { state in
            state.statistics.modelVerdicts += 1
            guard state.verdicts.updateValue(verdict, forKey: key) == nil else { return }
            if state.order.count < cacheCapacity {
                state.order.append(key)
            } else {
                state.verdicts.removeValue(forKey: state.order[state.oldest])
                state.order[state.oldest] = key
                state.oldest = (state.oldest + 1) % cacheCapacity
            }
        }
    }

    private func classificationRequest(for question: String, depth: Int) -> ChatRequest {
        let names = tiers.map(\.tier.rawValue)
        let guide = tiers.map { "- \($0.tier): \($0.meaning)" }.joined(separator: "\n")
        let system = """
            You route user requests to AI models of different strength. Classify the request's difficulty \
            as one of: \(names.joined(separator: ", ")).
            \(guide)
            The request is part of a conversation of \(depth) messages. Do not answer the request. \
            Reply with JSON like {"tier": "\(names.first ?? "simple")"} and nothing else.
            """
        // A long paste is judged by its beginning and end; the middle adds cost, not signal.
        let excerpt = question.count <= 4_000 ? question : String(question.prefix(3_000)) + "\n…\n" + String(question.suffix(1_000))
        let schema: JSONValue = [
            "type": "object",
            "properties": ["tier": ["type": "string", "enum": .array(names.map { .string($0) })]],
            "required": ["tier"],
            "additionalProperties": false,
        ]
        return ChatRequest(
            model: modelName, systemPrompt: system, messages: [.user(excerpt)],
            responseFormat: .jsonSchema(name: "tier", schema: schema, strict: true), temperature: 0, maxOutputTokens: 20)
    }

    /// The tier named by `text`: `{"tier": …}` JSON, or the first known tier word in it.
    private func tier(in text: String) -> Tier? {
        let known = Set(tiers.map(\.tier.rawValue))
        if let json = try? JSONValue(parsing: text), case .string(let name)? = json["tier"], known.contains(name.lowercased()) {
            return Tier(rawValue: name.lowercased())
        }
        let words = text.lowercased().split { !$0.isLetter }
        return words.first { known.contains(String($0)) }.map { Tier(rawValue: String($0)) }
    }
}
