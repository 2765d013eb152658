import Foundation
import Retrieval

/// Scores the chatbot on a JSON Lines file of questions with what a right answer must draw on.
///
/// Each line: `{"question": "...", "expected_sources": ["chapter or chapter/section id", ...],
/// "expected_text": ["a phrase from the passage that answers it", ...], "answerable": true|false}`;
/// either list may be absent. A retrieved chunk is a hit when its chapter or section id is in
/// `expected_sources` or its text contains one of `expected_text` (case-insensitive, whitespace
/// normalised).
public enum Evaluation {
    /// One line of an evaluation file.
    public struct Item: Sendable, Codable {
        /// The question.
        public var question: String
        /// Chapter or section ids of the passages that answer it.
        public var expectedSources: [String]?
        /// Phrases that occur in the passages that answer it.
        public var expectedText: [String]?
        /// Whether the documentation answers it.
        public var answerable: Bool

        enum CodingKeys: String, CodingKey {
            case question, answerable
            case expectedSources = "expected_sources"
            case expectedText = "expected_text"
        }
    }

    /// The items of an evaluation file.
    ///
    /// - Throws: ``ChatbotError/evaluation(_:)`` naming the first malformed line.
    public static func items(in url: URL) throws -> [Item] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ChatbotError.evaluation("cannot read \(url.path): \(error.localizedDescription)")
        }
        var items: [Item] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("//") { continue }
            do {
                let item = try JSONDecoder().decode(Item.self, from: Data(trimmed.utf8))
                guard !item.question.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ChatbotError.evaluation("line \(index + 1): the question is empty")
                }
                items.append(item)
            } catch let error as ChatbotError {
                throw error
            } catch {
                throw ChatbotError.evaluation("line \(index + 1) is not a valid item (\(error)); expected {\"question\": ..., \"answerable\": true|false, ...}")
            }
        }
        guard !items.isEmpty else { throw ChatbotError.evaluation("\(url.path) has no questions") }
        return items
    }

    /// Asks every question (each in a fresh conversation) and summarises.
    public static func run(_ items: [Item], chatbot: SupportChatbot, progress: (Int, TurnRecord) -> Void = { _, _ in }) async throws -> [String: Any] {
        var hitsAt1 = 0, hitsAt5 = 0, reciprocalRanks = 0.0, scored = 0
        var truePositive = 0, falsePositive = 0, falseNegative = 0
        var answered = 0, cited = 0, containsExpected = 0, answerableAnswered = 0, cacheHits = 0
        var latencies: [String: [Double]] = [:]
        var totals: [Double] = []
        for (index, item) in items.enumerated() {
            if item.expectedSources != nil || item.expectedText != nil {
                let results = try await chatbot.knowledgeBase.retriever.retrieve(item.question, options: RetrievalOptions(limit: 5))
                scored += 1
                if let rank = results.firstIndex(where: { isHit($0.document, for: item) }) {
                    if rank == 0 { hitsAt1 += 1 }
                    hitsAt5 += 1
                    reciprocalRanks += 1 / Double(rank + 1)
                }
            }
            let record = await chatbot.ask(item.question, user: "eval-\(index)", conversation: Conversation(id: "eval-\(index)"))
            progress(index, record)
            let declined = record.escalated || record.intent != .answerable
            if declined && !item.answerable { truePositive += 1 }
            if declined && item.answerable { falsePositive += 1 }
            if !declined && !item.answerable { falseNegative += 1 }
            if !declined {
                answered += 1
                if !record.sources.isEmpty { cited += 1 }
                if item.answerable {
                    answerableAnswered += 1
                    if let phrases = item.expectedText, phrases.contains(where: { normalised(record.answer).contains(normalised($0)) }) {
                        containsExpected += 1
                    }
                }
            }
            if record.cacheHit != nil { cacheHits += 1 }
            for step in record.steps { latencies[step.name, default: []].append(step.milliseconds) }
            totals.append(record.totalMilliseconds)
        }
        func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : (Double(part) / Double(whole) * 1_000).rounded() / 1_000 }
        var steps: [String: [String: Double]] = [:]
        for (name, values) in latencies { steps[name] = ["p50_ms": percentile(values, 0.5), "p95_ms": percentile(values, 0.95)] }
        steps["total"] = ["p50_ms": percentile(totals, 0.5), "p95_ms": percentile(totals, 0.95)]
        let answerable = items.filter(\.answerable).count
        return [
            "questions": items.count,
            "answerable": answerable,
            "retrieval_scored": scored,
            "retrieval_hit_at_1": ratio(hitsAt1, scored),
            "retrieval_hit_at_5": ratio(hitsAt5, scored),
            "retrieval_mrr": scored == 0 ? 0 : (reciprocalRanks / Double(scored) * 1_000).rounded() / 1_000,
            "escalation_precision": ratio(truePositive, truePositive + falsePositive),
            "escalation_recall": ratio(truePositive, truePositive + falseNegative),
            "answered_rate_on_answerable": ratio(answerableAnswered, answerable),
            "citation_rate": ratio(cited, answered),
            "answer_contains_expected_text": ratio(containsExpected, answerableAnswered),
            "cache_hit_rate": ratio(cacheHits, items.count),
            "latency": steps,
        ]
    }

    /// Whether `document` is a passage `item` expects.
    static func isHit(_ document: RetrievalDocument, for item: Item) -> Bool {
        let sources = Set(item.expectedSources ?? [])
        if let chapter = document.metadata["chapter"], sources.contains(chapter) { return true }
        if let section = document.metadata["section"], sources.contains(section) { return true }
        let text = normalised(document.text)
        return (item.expectedText ?? []).contains { text.contains(normalised($0)) }
    }

    static func normalised(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let value = sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
        return (value * 1_000).rounded() / 1_000
    }
}
