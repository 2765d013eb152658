import LLMCore
import Synchronization

/// The offline model: a deterministic lexicon-based extractor that answers the extraction request
/// with the same JSON schema a real model would, with a configurable simulated latency and failure
/// rate — so the pipeline's mechanics can be run and measured with no API.
///
/// It is not a language model: sentiment comes from word lists (English, German, French, Spanish),
/// topics from keywords, urgency from alarm words, the summary is the review's first sentence. Its
/// simulated failures, drawn per call from the seed: a 429 with `Retry-After: 1`, a 500, an answer
/// that is not JSON, and an answer missing one review — in shares 40/30/15/15 of `failureRate`.
public final class LexiconExtractor: ChatModel {
    /// The simulated time per call.
    public let latency: Duration
    /// The share of calls that fail, in [0, 1].
    public let failureRate: Double
    private let seed: UInt64
    private let clock: any Clock<Duration>
    private let calls = Atomic<UInt64>(0)

    /// Creates an extractor.
    public init(latency: Duration = .zero, failureRate: Double = 0, seed: UInt64 = 1, clock: some Clock<Duration> = ContinuousClock()) {
        self.latency = latency
        self.failureRate = min(1, max(0, failureRate))
        self.seed = seed
        self.clock = clock
    }

    /// Answers an extraction request (see ``ExtractionPrompt``).
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        let call = calls.add(1, ordering: .relaxed).oldValue
        if latency > .zero {
            do { try await clock.sleep(for: latency) } catch { throw .cancelled() }
        }
        var draw = SplitMixDraw(seed: seed &+ call &* 0x9E37_79B9_7F4A_7C15).unit
        var dropOne = false
        if draw < failureRate {
            draw /= failureRate
            switch draw {
            case ..<0.40:
                throw LLMError(kind: .rateLimited, message: "simulated 429", httpStatus: 429, headers: ["retry-after": "1"], retryAfter: .seconds(1), provider: "lexicon")
            case ..<0.70:
                throw LLMError(kind: .server, message: "simulated 500", httpStatus: 500, provider: "lexicon")
            case ..<0.85:
                return ChatResponse(message: .assistant("Sure! Here are the results: {\"results\": ["), finishReason: .stop, model: "lexicon")
            default:
                dropOne = true
            }
        }
        var reviews = ExtractionPrompt.reviews(in: request)
        if dropOne, !reviews.isEmpty { reviews.removeLast() }
        let items: [JSONValue] = reviews.map { Self.extract(id: $0.id, text: $0.text) }
        let answer = (try? JSONValue.object(["results": .array(items)]).serialized()) ?? "{}"
        let counter = ApproximateTokenCounter()
        let usage = Usage(inputTokens: request.estimatedPromptTokens(using: counter), outputTokens: counter.tokenCount(of: answer))
        return ChatResponse(message: .assistant(answer), finishReason: .stop, usage: usage, model: "lexicon")
    }

    /// The same answer as a stream.
    public func stream(_ request: ChatRequest) -> ChatStream {
        ChatStream { continuation throws(LLMError) in
            for event in try await self.respond(to: request).streamEvents { guard continuation.yield(event) else { return } }
        }
    }

    private static let positive: Set<String> = [
        "good", "great", "excellent", "love", "perfect", "fast", "happy", "recommend", "amazing", "nice", "works",
        "gut", "super", "schnell", "toll", "zufrieden", "bon", "excellent", "parfait", "rapide", "bueno", "excelente", "rápido", "perfecto",
    ]
    private static let negative: Set<String> = [
        "bad", "terrible", "broken", "late", "slow", "refund", "awful", "never", "worst", "poor", "disappointed", "damaged",
        "schlecht", "kaputt", "langsam", "spät", "mauvais", "cassé", "lent", "malo", "roto", "lento", "tarde",
    ]
    private static let alarms: Set<String> = [
        "urgent", "asap", "immediately", "lawyer", "dangerous", "fire", "injured", "dringend", "sofort", "urgente", "inmediatamente",
    ]
    private static let topicWords: [(String, [String])] = [
        ("delivery", ["delivery", "shipping", "arrived", "courier", "lieferung", "livraison", "envío", "late", "spät", "tarde"]),
        ("price", ["price", "expensive", "cheap", "cost", "preis", "teuer", "prix", "cher", "precio", "caro"]),
        ("quality", ["quality", "broken", "material", "qualität", "kaputt", "qualité", "cassé", "calidad", "roto"]),
        ("customer-service", ["support", "service", "staff", "kundenservice", "servicio", "agent"]),
        ("usability", ["easy", "confusing", "interface", "setup", "einfach", "facile", "fácil"]),
        ("performance", ["slow", "fast", "battery", "speed", "langsam", "schnell", "lent", "rapide", "lento", "rápido"]),
        ("billing", ["charged", "invoice", "billing", "payment", "rechnung", "facture", "factura"]),
        ("packaging", ["box", "packaging", "package", "verpackung", "emballage", "embalaje"]),
        ("returns", ["return", "refund", "exchange", "rückgabe", "retour", "devolución", "reembolso"]),
    ]

    /// One item of the answer.
    static func extract(id: String, text: String) -> JSONValue {
        let words = text.lowercased().split { !$0.isLetter }.map(String.init)
        let wordSet = Set(words)
        let good = words.filter { positive.contains($0) }.count
        let bad = words.filter { negative.contains($0) }.count
        let sentiment = good > 0 && bad > 0 ? "mixed" : good > 0 ? "positive" : bad > 0 ? "negative" : "neutral"
        var topics = topicWords.filter { !wordSet.isDisjoint(with: $0.1) }.map(\.0)
        if topics.isEmpty { topics = ["other"] }
        var urgency = 1 + min(2, bad)
        if !wordSet.isDisjoint(with: alarms) { urgency += 2 }
        let firstSentence = text.split(whereSeparator: { ".!?\n".contains($0) }).first.map(String.init) ?? text
        let summary = String(firstSentence.trimmingPrefix(while: \.isWhitespace).prefix(ReviewSchema.maximumSummaryCharacters))
        return [
            "id": .string(id), "sentiment": .string(sentiment), "topics": .array(topics.map { .string($0) }),
            "urgency": .integer(Int64(min(5, urgency))), "summary": .string(summary),
        ]
    }
}

/// One SplitMix64 output as a number in [0, 1).
private struct SplitMixDraw {
    var unit: Double

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        unit = Double(random.next() >> 11) / Double(1 << 53)
    }
}
