import BatchProcessing
import Foundation
import LLMCore
import LLMTesting
import Resilience
import Synchronization
import Testing
import TextClassification

@testable import ModerationPipelineKit

/// A synthetic labelled set (no real posts): "bad" words mark harmful ones.
private let posts: [LabelledPost] = (0..<600).map { index in
    let bad = ["awful", "nasty", "vile", "rotten", "hateful"][index % 5]
    let neutral = ["lunch", "weather", "garden", "music", "train", "coffee"][index % 6]
    return index % 3 == 0
        ? LabelledPost(id: "p\(index)", text: "you are \(bad) like this \(neutral) \(index)", harmful: true)
        : LabelledPost(id: "p\(index)", text: "a nice \(neutral) today \(index)", harmful: false)
}

private let model: ModerationModel = try! ModerationModel.train(posts, features: HashedFeatures(bits: 12))

/// Tier 2 that always answers with `category` at `confidence`.
private func tier2(_ category: String, _ confidence: Double) -> ScriptedChatModel {
    ScriptedChatModel([.text(#"{"category":"\#(category)","confidence":\#(confidence),"explanation":"scripted"}"#)], whenExhausted: .repeatLast)
}

private func queueFile() throws -> (AppendOnlyLines, String) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("queue-\(UUID().uuidString).jsonl").path
    return (try AppendOnlyLines(path: path), path)
}

/// A model whose verdict for every score is fixed by its thresholds.
private func fixed(publishBelow: Double, holdFrom: Double) -> ModerationModel {
    ModerationModel(classifier: model.classifier, publishBelow: publishBelow, holdFrom: holdFrom)
}

@Suite("ModerationPipeline: tiers and fail-safes")
struct ModerationPipelineTests {
    @Test("thresholds route: clear cases decided by tier 1, the band by tier 2, unsure tier 2 to people")
    func routing() async throws {
        let (queue, path) = try queueFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(model.publishBelow <= model.holdFrom)
        let clear = ModerationPipeline(tier1: model, tier2: ScriptedChatModel([]), reviewQueue: queue)
        let harmful = await clear.moderate(LabelledPost(id: "h", text: "you are vile like this garden"))
        let safe = await clear.moderate(LabelledPost(id: "s", text: "a nice garden today"))
        #expect(harmful.decision == .hold && harmful.tier == 1)
        #expect(safe.decision == .publish && safe.tier == 1)

        // Everything uncertain: tier 2 decides when it is confident, people when it is not.
        let band = fixed(publishBelow: 0, holdFrom: 1.1)
        let sure = ModerationPipeline(tier1: band, tier2: tier2("hate", 0.95), reviewQueue: queue)
        #expect(await sure.moderate(LabelledPost(id: "a", text: "anything")).decision == .hold)
        let safeSure = ModerationPipeline(tier1: band, tier2: tier2("safe", 0.9), reviewQueue: queue)
        #expect(await safeSure.moderate(LabelledPost(id: "b", text: "anything")).decision == .publish)
        let unsure = ModerationPipeline(tier1: band, tier2: tier2("spam", 0.5), reviewQueue: queue)
        let reviewed = await unsure.moderate(LabelledPost(id: "c", text: "anything"))
        #expect(reviewed.decision == .review && reviewed.tier == 3 && reviewed.tier2?.category == "spam")
        let queued = try JSONLinesReader(path: path).compactMap { $0.text }.map { try JSONValue(parsing: $0) }
        #expect(queued.count == 1 && queued[0]["id"] == "c" && queued[0]["tier2"]?["category"] == "spam" && queued[0]["normalized"] != nil)
    }

    @Test("tier 2 down — errors, then an open breaker — sends uncertain posts to people, flagged")
    func tier2Down() async throws {
        let (queue, path) = try queueFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let breaker = try CircuitBreaker(name: "tier2", configuration: .init(slidingWindow: .count(4), minimumCalls: 2, openDuration: .fixed(.seconds(30))), clock: clock)
        let failing = FaultInjectingChatModel(wrapping: tier2("safe", 0.99), plan: .sequence([.serverError], repeating: true), clock: clock)
        let pipeline = ModerationPipeline(tier1: fixed(publishBelow: 0, holdFrom: 1.1), tier2: failing.circuitBreaking(breaker), reviewQueue: queue)
        for index in 0..<5 {
            let record = await pipeline.moderate(LabelledPost(id: "u\(index)", text: "anything"))
            #expect(record.decision == .review && record.flags == ["tier-2-unavailable"])
        }
        #expect(breaker.state == .open)
        #expect(failing.callCount == 2, "the open breaker stopped calling tier 2")
    }

    @Test("a tier 2 that hangs times out on the clock and the post goes to people")
    func tier2Timeout() async throws {
        let (queue, path) = try queueFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let slow = FaultInjectingChatModel(wrapping: tier2("safe", 0.99), plan: .sequence([.latency(.seconds(60))], repeating: true), clock: clock)
        let pipeline = ModerationPipeline(
            tier1: fixed(publishBelow: 0, holdFrom: 1.1), tier2: slow.timeout(try Timeout(limit: .seconds(2), clock: clock)), reviewQueue: queue)
        let run = Task { await pipeline.moderate(LabelledPost(id: "t", text: "anything")) }
        await clock.waitForSleepers(count: 2)
        await clock.advance(by: .seconds(2))
        let record = await run.value
        #expect(record.decision == .review && record.flags == ["tier-2-unavailable"])
    }

    @Test("when tier 1 fails the post is held")
    func tier1Fails() async throws {
        struct Broken: Error {}
        let pipeline = ModerationPipeline(tier1: model, tier2: tier2("safe", 1), reviewQueue: nil, scoring: { _ in throw Broken() })
        let record = await pipeline.moderate(LabelledPost(id: "x", text: "a nice garden today"))
        #expect(record.decision == .hold && record.flags == ["tier-1-failed"])
        let nan = ModerationPipeline(tier1: model, tier2: tier2("safe", 1), reviewQueue: nil, scoring: { _ in .nan })
        #expect(await nan.moderate(LabelledPost(id: "y", text: "x")).decision == .hold)
    }

    @Test("no failure anywhere ever turns a hold into a publish", arguments: [UInt64(1), 2, 3, 4])
    func holdsStayHeld(seed: UInt64) async throws {
        var random = SeededRandomNumberGenerator(seed: seed)
        let faults: [Fault?] = (0..<40).map { _ in [nil, .serverError, .overloaded, .streamCut(afterEvents: 0)][Int(random.next() % 4)] }
        let tier2Model = FaultInjectingChatModel(wrapping: tier2("safe", 0.99), plan: .sequence(faults, repeating: true))
        let tier1Fails = Atomic<Int>(0)
        let pipeline = ModerationPipeline(tier1: model, tier2: tier2Model, reviewQueue: nil, scoring: { text in
            if tier1Fails.add(1, ordering: .relaxed).newValue % 7 == 0 { throw ModerationError.data("injected") }
            return model.classifier.score(text)
        })
        for post in posts.prefix(120) {
            let record = await pipeline.moderate(post)
            if let score = record.tier1Score, model.verdict(for: score) == .hold { #expect(record.decision == .hold) }
            if record.flags.contains("tier-1-failed") { #expect(record.decision == .hold) }
            if record.flags.contains("tier-2-unavailable") { #expect(record.decision == .review) }
        }
    }

    @Test("the offline tier 2 answers the schema; the obfuscator is seeded and normalization undoes it")
    func offlinePieces() async throws {
        let opinion = try await ModerationPipeline(tier1: model, tier2: SecondLocalModel(model: model), reviewQueue: nil)
            .secondOpinion(on: "you are vile like this garden")
        #expect(opinion.category == "harassment" && opinion.confidence >= 0.8)
        let obfuscator = Obfuscator(wordRate: 1)
        let text = "you are hateful and nasty"
        #expect(obfuscator.obfuscate(text, seed: 3) == obfuscator.obfuscate(text, seed: 3))
        #expect(obfuscator.obfuscate(text, seed: 3) != text)
        let recovered = (0..<20).map { TextNormalizer().normalize(obfuscator.obfuscate(text, seed: UInt64($0))) }
        #expect(recovered.filter { $0.replacingOccurrences(of: "  ", with: " ").contains("nasty") || $0.contains("naasty") }.count >= 15)
    }
}
