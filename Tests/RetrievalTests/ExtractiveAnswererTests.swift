import Foundation
import LLMCore
@testable import Retrieval
import Testing

private let sources = """
    You answer from these sources.

    [1] Refunds
    Refunds are paid back to the original card within five business days. Nothing else applies.

    [2] Shipping > Couriers
    Parcels are shipped by courier.
    ```
    let refund = "code is never quoted"
    ```
    <!--
    TODO: an editor's note about refunds that must never be quoted.
    -->
    Express delivery takes one business day for parcels under two kilograms.
    """

private func ask(_ question: String, system: String = sources) -> ChatRequest {
    ChatRequest(systemPrompt: system, messages: [.user(question)])
}

@Suite("ExtractiveAnswerer")
struct ExtractiveAnswererTests {
    @Test("it quotes the most relevant sentence and cites its source")
    func quotesAndCites() async throws {
        let answer = try await ExtractiveAnswerer().respond(to: ask("How long does a refund take?")).text
        #expect(answer == "Refunds are paid back to the original card within five business days. [1]")
        let express = try await ExtractiveAnswerer().respond(to: ask("How fast is express delivery?")).text
        #expect(express == "Express delivery takes one business day for parcels under two kilograms. [2]")
    }

    @Test("a sentence with the question's words side by side beats one that merely has them")
    func phraseBonus() {
        let sources = [
            (1, "You can declare several constants on one line, with commas."),
            (2, "You declare constants with the let keyword."),
        ]
        let answer = ExtractiveAnswerer(maximumSentences: 1).answer(question: "How do I declare a constant?", sources: sources)
        #expect(answer == "You declare constants with the let keyword. [2]")
    }

    @Test("with corpus statistics, a word the whole corpus uses weighs little")
    func corpusRarity() {
        /// "swift" is in nearly every document of this corpus; "declar" in few.
        struct Corpus: TermStatistics {
            func inverseDocumentFrequency(of term: String) -> Double? { term == "swift" ? 0.1 : 3 }
        }
        let sources = [
            (1, "Swift prints the value of a constant with interpolation."),
            (2, "Constants are declared with the let keyword."),
        ]
        let question = "How do I declare a constant in Swift?"
        let local = ExtractiveAnswerer(maximumSentences: 1).answer(question: question, sources: sources)
        #expect(local.hasSuffix("[1]"), "in two sentences alone, \"swift\" looks as rare as \"declare\"")
        let informed = ExtractiveAnswerer(maximumSentences: 1, termStatistics: Corpus()).answer(question: question, sources: sources)
        #expect(informed == "Constants are declared with the let keyword. [2]")
    }

    @Test("code blocks, comments and title lines are never quoted")
    func skipsNonProse() {
        let prose = ExtractiveAnswerer.proseSentences(of: "Shipping > Couriers\nParcels are shipped by courier.\n```\nlet refund = 1\n```\n<!--\nTODO: refunds note\n-->\nA closing sentence here.")
        #expect(prose == ["Parcels are shipped by courier.", "A closing sentence here."])
    }

    @Test("numbered sources are read only in consecutive order, each to the next")
    func parsesSources() {
        let parsed = ExtractiveAnswerer.sources(in: "intro [3] not a source\n[1] one\ntext\n\n[2] two\n[4] skipped, so part of two")
        #expect(parsed.map(\.number) == [1, 2])
        #expect(parsed[0].text == "one\ntext\n")
        #expect(parsed[1].text == "two\n[4] skipped, so part of two")
    }

    @Test("with nothing relevant it refuses without a citation")
    func refuses() async throws {
        let answerer = ExtractiveAnswerer()
        #expect(try await answerer.respond(to: ask("What colour is the sky?")).text == answerer.refusal)
        #expect(try await answerer.respond(to: ask("How long does a refund take?", system: "No sources here.")).text == answerer.refusal)
    }

    @Test("the stream folds to the one-shot answer")
    func streamMatches() async throws {
        let answerer = ExtractiveAnswerer()
        let oneShot = try await answerer.respond(to: ask("How long does a refund take?"))
        let streamed = try await answerer.stream(ask("How long does a refund take?")).response()
        #expect(streamed.text == oneShot.text && streamed.usage == oneShot.usage && streamed.model == "extractive")
    }
}

@Suite("HybridRetriever persistence")
struct HybridRetrieverPersistenceTests {
    private func retriever() async throws -> HybridRetriever {
        let retriever = try HybridRetriever(embedder: try HashingEmbedder(dimensions: 64))
        try await retriever.add([
            RetrievalDocument(id: "a", text: "Refunds are paid within five days", title: "Refunds", metadata: ["topic": "billing"]),
            RetrievalDocument(id: "b", text: "Parcels travel by courier", metadata: ["topic": "shipping"]),
            RetrievalDocument(id: "c", text: "Reset your password from the login page"),
        ])
        return retriever
    }

    @Test("a saved retriever loads with the same documents and the same answers")
    func roundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try await retriever()
        try original.save(to: directory)
        let loaded = try HybridRetriever(contentsOf: directory, embedder: try HashingEmbedder(dimensions: 64))
        #expect(loaded.count == 3 && loaded.document(id: "a") == original.document(id: "a"))
        for query in ["refund", "courier parcels", "password"] {
            let before = try await original.retrieve(query).map(\.document.id)
            #expect(try await loaded.retrieve(query).map(\.document.id) == before)
        }
        let filtered = try await loaded.retrieve("refund parcels", options: RetrievalOptions(metadata: ["topic": "shipping"]))
        #expect(filtered.map(\.document.id) == ["b"])
    }

    @Test("a missing file, a damaged file or another embedding size is refused with a storage error")
    func refusals() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await retriever().save(to: directory)
        #expect(throws: RetrievalError.self) { try HybridRetriever(contentsOf: directory, embedder: try HashingEmbedder(dimensions: 32)) }
        try Data("[{\"id\": ".utf8).write(to: directory.appendingPathComponent("documents.json"))
        #expect(throws: RetrievalError.self) { try HybridRetriever(contentsOf: directory, embedder: try HashingEmbedder(dimensions: 64)) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("keywords.bm25"))
        do {
            _ = try HybridRetriever(contentsOf: directory, embedder: try HashingEmbedder(dimensions: 64))
            Issue.record("expected a storage error")
        } catch {
            #expect("\(error)".contains("keywords.bm25"))
        }
    }
}
