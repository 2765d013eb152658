import Foundation
import BM25
import LLMCore

/// A ``LLMCore/ChatModel`` that answers from the numbered sources in its prompt by quoting their
/// most relevant sentences, each followed by its citation — no language model involved.
///
/// It is what a retrieval pipeline can run with no model configured, and an honest baseline for
/// one that has a model: every word of an answer is a sentence of a cited source, so it never
/// invents anything, but it cannot rephrase, combine or reason. It reads sources in the format
/// ``ContextBuilder`` writes (`[1] Title` then the text, sources separated by blank lines) from the
/// system prompt and the messages, and the question from the last user message. Sentences are
/// scored by the question's terms they contain (weighted by how rare each term is — in the corpus
/// when ``termStatistics`` is set, else among the sources' sentences; terms come from the BM25
/// analyzer, so "closure" and "closures" match), with a bonus for each pair
/// of adjacent question terms that is adjacent in the sentence too (a phrase), favouring earlier sources;
/// further sentences are added only when they score close to the best and share a question term
/// with it. Code blocks, headings, tables and HTML comments are skipped. When no sentence shares a term with the
/// question, it answers ``refusal`` without a citation.
public struct ExtractiveAnswerer: ChatModel {
    /// The most sentences quoted in one answer.
    public var maximumSentences: Int
    /// Finds the terms of questions and sentences.
    public var analyzer: StandardAnalyzer
    /// The model name responses report.
    public var modelName: String
    /// The answer when the sources say nothing about the question.
    public var refusal: String
    /// Finds the terms of a question: ``analyzer``'s, less the words every question has.
    public var questionAnalyzer: StandardAnalyzer
    /// How rare each term is in the whole corpus (for example the ``HybridRetriever`` the sources
    /// came from, whose analyzer must match ``analyzer``); without it, or for a term it does not
    /// have (an analyzer that differs from the index's finds none), rarity is judged among the
    /// prompt's own sentences — a different scale, so match the analyzers.
    public var termStatistics: (any TermStatistics)?

    /// Words that say a message is a question rather than what it is about ("how", "what", "can I"),
    /// dropped from questions before matching.
    public static let questionWords: Set<String> = [
        "what", "whats", "how", "why", "when", "where", "which", "who", "whom", "whose", "do", "does", "did", "can",
        "could", "should", "would", "i", "you", "we", "me", "my", "your", "our", "us", "is", "are", "am", "get",
        "tell", "explain", "please", "about", "mean", "means", "way", "ways", "there", "some", "any",
    ]

    /// Creates an answerer.
    public init(
        maximumSentences: Int = 3, analyzer: StandardAnalyzer = StandardAnalyzer(), modelName: String = "extractive",
        refusal: String = "I could not find this in the documentation.", termStatistics: (any TermStatistics)? = nil
    ) {
        self.termStatistics = termStatistics
        self.maximumSentences = max(1, maximumSentences)
        self.analyzer = analyzer
        self.questionAnalyzer = StandardAnalyzer(
            stopwords: analyzer.stopwords.union(Self.questionWords), stems: analyzer.stems, foldsDiacritics: analyzer.foldsDiacritics)
        self.modelName = modelName
        self.refusal = refusal
    }

    /// Answers with the best sentences of the sources and their citations.
    public func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse {
        try request.validate()
        let question = request.messages.last { $0.role == .user }?.text ?? ""
        // Sources come from the system prompt, or else from the newest message that has them
        // (each message parsed alone, so one message's text never runs into another's source).
        var sources = Self.sources(in: request.systemPrompt ?? "")
        if sources.isEmpty {
            sources = request.messages.reversed().lazy.map { Self.sources(in: $0.text) }.first { !$0.isEmpty } ?? []
        }
        let text = answer(question: question, sources: sources)
        let counter = ApproximateTokenCounter()
        let usage = Usage(
            inputTokens: request.estimatedPromptTokens(using: counter), outputTokens: counter.tokenCount(of: text))
        return ChatResponse(message: .assistant(text), finishReason: .stop, usage: usage, model: modelName)
    }

    /// Streams the same answer a few words at a time.
    public func stream(_ request: ChatRequest) -> ChatStream {
        ChatStream { continuation throws(LLMError) in
            let response = try await respond(to: request)
            guard continuation.yield(.responseStarted(id: nil, model: modelName)) else { return }
            var word = ""
            for character in response.text {
                word.append(character)
                if character == " " {
                    guard continuation.yield(.textDelta(word)) else { return }
                    word = ""
                }
            }
            if !word.isEmpty { continuation.yield(.textDelta(word)) }
            continuation.yield(.usage(response.usage))
            continuation.yield(.finished(.stop))
        }
    }

    private struct Sentence {
        var source: Int
        var position: Int
        var text: String
        var terms: Set<String>
        /// Pairs of the question's adjacent terms that are adjacent here too.
        var phraseMatches: Int
    }

    /// The adjacent term pairs of `terms`, as one string each.
    private static func adjacentPairs(_ terms: [String]) -> Set<String> {
        guard terms.count > 1 else { return [] }
        return Set((1..<terms.count).map { terms[$0 - 1] + " " + terms[$0] })
    }

    /// The answer to `question` from numbered `sources`.
    func answer(question: String, sources: [(number: Int, text: String)]) -> String {
        let questionTerms = questionAnalyzer.terms(in: question)
        let wanted = Set(questionTerms)
        let questionPairs = Self.adjacentPairs(questionTerms)
        var sentences: [Sentence] = []
        for (rank, source) in sources.enumerated() {
            for text in Self.proseSentences(of: source.text) {
                // Stopwords are dropped from the sentence as from the question, so "declare a
                // constant" and "declare constants" are the same adjacent pair.
                let sequence = questionAnalyzer.terms(in: text)
                let phraseMatches = questionPairs.isEmpty ? 0 : Self.adjacentPairs(sequence).intersection(questionPairs).count
                sentences.append(Sentence(
                    source: rank, position: sentences.count, text: text, terms: Set(analyzer.terms(in: text)), phraseMatches: phraseMatches))
            }
        }
        guard !wanted.isEmpty, !sentences.isEmpty else { return refusal }
        var documentFrequency: [String: Int] = [:]
        for sentence in sentences {
            for term in sentence.terms where wanted.contains(term) { documentFrequency[term, default: 0] += 1 }
        }
        let total = Double(sentences.count)
        var rarity: [String: Double] = [:]
        for term in wanted {
            rarity[term] = termStatistics?.inverseDocumentFrequency(of: term)
                ?? documentFrequency[term].map { log(1 + total / Double($0)) } ?? 0
        }
        func score(_ sentence: Sentence) -> Double {
            var sum = 0.0
            for term in sentence.terms.intersection(wanted) { sum += rarity[term]! }
            // Longer sentences match more by chance; earlier sources were ranked better; a sentence
            // that has the question's words next to each other (a phrase) is more likely about it.
            return sum * (1 + 0.5 * Double(sentence.phraseMatches)) / Double(max(8, sentence.terms.count)).squareRoot()
                / (1 + 0.15 * Double(sentence.source))
        }
        let scored = sentences.map { ($0, score($0)) }.sorted { $0.1 > $1.1 || $0.1 == $1.1 && $0.0.position < $1.0.position }
        guard let best = scored.first, best.1 > 0 else { return refusal }
        // Further sentences must score close to the best and be about the same thing: share a
        // question term with it (so "how long does a refund take" does not add a sentence about
        // how long delivery takes).
        let topic = best.0.terms.intersection(wanted)
        let picked = scored.prefix(maximumSentences).filter { $0.1 >= best.1 * 0.6 && !$0.0.terms.isDisjoint(with: topic) }
        // The best-answering source first; a source's sentences together, in their reading order.
        var sourceRank: [Int: Int] = [:]
        for (sentence, _) in picked where sourceRank[sentence.source] == nil { sourceRank[sentence.source] = sourceRank.count }
        let chosen = picked.map(\.0).sorted { (sourceRank[$0.source]!, $0.position) < (sourceRank[$1.source]!, $1.position) }
        var parts: [String] = []
        for (index, sentence) in chosen.enumerated() {
            let closesGroup = index + 1 == chosen.count || chosen[index + 1].source != sentence.source
            parts.append(closesGroup ? sentence.text + " [\(sources[sentence.source].number)]" : sentence.text)
        }
        return parts.joined(separator: " ")
    }

    /// The numbered sources in `text`: blocks that start with `[1] `, `[2] `, … at the start of a line,
    /// numbered consecutively, each running to the next.
    static func sources(in text: String) -> [(number: Int, text: String)] {
        var starts: [(number: Int, marker: Range<String.Index>)] = []
        var searchFrom = text.startIndex
        var number = 1
        while true {
            let marker = "[\(number)] "
            var found: Range<String.Index>?
            if number == 1, text.hasPrefix(marker) {
                found = text.startIndex..<text.index(text.startIndex, offsetBy: marker.count)
            } else if let range = text[searchFrom...].firstRange(of: "\n" + marker) {
                found = text.index(after: range.lowerBound)..<range.upperBound
            }
            guard let found else { break }
            starts.append((number, found))
            searchFrom = found.upperBound
            number += 1
        }
        return starts.enumerated().map { index, start in
            let end = index + 1 < starts.count ? text.index(before: starts[index + 1].marker.lowerBound) : text.endIndex
            return (start.number, String(text[start.marker.upperBound..<max(end, start.marker.upperBound)]))
        }
    }

    /// The prose sentences of a Markdown source: code blocks, headings, tables, comments and a
    /// leading title line are left out; paragraphs are split after `.`, `?` or `!` followed by a space.
    static func proseSentences(of source: String) -> [String] {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.first, lines.count > 1, !(first.last.map { ".?!:".contains($0) } ?? false) { lines.removeFirst() }
        var paragraphs: [String] = []
        var current: [String] = []
        var inCode = false
        var inComment = false
        func flush() {
            if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
            current = []
        }
        for line in lines {
            let trimmed = line.trimming(" \t")
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inCode.toggle()
                flush()
                continue
            }
            // HTML comments (the book keeps editors' notes in them) may span lines.
            if inComment || trimmed.hasPrefix("<!--") {
                inComment = !trimmed.contains("-->")
                flush()
                continue
            }
            if inCode || trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("|") || line.hasPrefix("    ") {
                flush()
                continue
            }
            current.append(trimmed)
        }
        flush()
        var sentences: [String] = []
        for paragraph in paragraphs {
            var sentence = ""
            var previous: Character = " "
            for character in paragraph {
                if character == " ", ".?!".contains(previous), sentence.count > 1 {
                    sentences.append(sentence)
                    sentence = ""
                } else {
                    sentence.append(character)
                }
                previous = character
            }
            if !sentence.isEmpty { sentences.append(sentence) }
        }
        // A sentence that only points elsewhere ("see <doc:…>") answers nothing.
        return sentences.map { $0.trimming(" ") }.filter { $0.count >= 20 && $0.count <= 500 && !$0.contains("<doc:") }
    }
}

extension String {
    fileprivate func trimming(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
