import LLMCore
import LLMTesting
import ModelRouting
import Testing

@Suite("Request classifiers")
struct ClassifierTests {
    private let heuristic = HeuristicClassifier()

    private func tier(_ text: String, history: Int = 0) -> Tier {
        var messages: [ChatMessage] = []
        for turn in 0..<history { messages.append(turn.isMultiple(of: 2) ? .user("earlier question") : .assistant("earlier answer")) }
        messages.append(.user(text))
        return heuristic.verdict(for: ChatRequest(messages: messages)).tier
    }

    @Test("short factual questions are simple")
    func simple() {
        #expect(tier("What is the capital of France?") == .simple)
        #expect(tier("Translate 'good morning' into Spanish.") == .simple)
        #expect(tier("How do I reset my password?") == .simple)
    }

    @Test("explanations with some reasoning are medium")
    func medium() {
        #expect(tier("Compare TCP and UDP for a chat application.") == .medium)
        #expect(tier("Explain why my app crashes when the network drops. What should I check first?") == .medium)
    }

    @Test("code, mathematics and many-part reasoning are complex")
    func complex() {
        #expect(tier("Debug this:\n```swift\nfunc f() -> Int { return 1 / 0 }\n```") == .complex)
        #expect(tier("Prove that the square root of 2 is irrational, step by step.") == .complex)
        #expect(tier("Solve 3x + 4 = 19 and then 2y - 6 = 10; explain why each step holds.") == .complex)
        #expect(tier("1. Design a schema\n2. Write the queries\n3. Estimate the load\n4. Plan the migration") == .complex)
    }

    @Test("a long conversation raises the tier")
    func depth() {
        #expect(tier("And what about the second option?") == .simple)
        #expect(tier("And what about the second option? Which is cheaper?", history: 12) == .medium)
    }

    @Test("version numbers and hyphenated names are not mathematics")
    func notMath() {
        #expect(tier("Is GPT-4 better than GPT-3 at French?") == .simple)
    }

    @Test("the verdict explains itself")
    func explanation() {
        let verdict = heuristic.verdict(for: ChatRequest(messages: [.user("Compare these two designs step by step.")]))
        #expect(verdict.reason.contains("asks for reasoning"))
        #expect(verdict.reason.hasSuffix("→ medium"))
    }

    @Test("the model classifier asks once per question and remembers the verdict")
    func modelClassifierCaches() async {
        let judge = ScriptedChatModel([.text(#"{"tier": "complex"}"#, model: "judge")], whenExhausted: .repeatLast)
        let classifier = ModelClassifier(model: judge)
        let request = ChatRequest(messages: [.user("What is the capital of France?")])
        #expect(await classifier.classify(request).tier == .complex)
        #expect(await classifier.classify(request).tier == .complex)
        #expect(judge.requests.count == 1)
        #expect(classifier.statistics.cacheHits == 1 && classifier.statistics.modelVerdicts == 1)
        let sent = judge.requests[0]
        #expect(sent.maxOutputTokens == 20 && sent.temperature == 0)
        guard case .jsonSchema = sent.responseFormat else {
            Issue.record("the classifier should ask for a JSON schema")
            return
        }
    }

    @Test("a plain one-word answer is understood")
    func oneWordAnswer() async {
        let judge = ScriptedChatModel([.text("Medium.")])
        #expect(await ModelClassifier(model: judge).classify(simpleRequest).tier == .medium)
    }

    @Test("a failing or rambling classifier model gives the heuristic's verdict, saying why, and is not cached")
    func fallsBackToHeuristic() async {
        let judge = ScriptedChatModel([.failure(error(.server)), .text("I think it depends."), .text("simple")])
        let classifier = ModelClassifier(model: judge)
        let failed = await classifier.classify(simpleRequest)
        #expect(failed.tier == .simple)
        #expect(failed.reason.hasPrefix("the classifier model failed (server); heuristic score"))
        let rambling = await classifier.classify(simpleRequest)
        #expect(rambling.reason.contains("answered"))
        #expect(await classifier.classify(simpleRequest).reason.contains("classifier model"))
        #expect(classifier.statistics.fallbacks == 2 && classifier.statistics.modelVerdicts == 1)
    }

    @Test("the cache forgets its oldest verdicts beyond its capacity")
    func cacheCapacity() async {
        let judge = ScriptedChatModel([.text("simple")], whenExhausted: .repeatLast)
        let classifier = ModelClassifier(model: judge, cacheCapacity: 2)
        for question in ["a", "b", "c", "a"] { _ = await classifier.classify(ChatRequest(messages: [.user(question)])) }
        #expect(judge.requests.count == 4, "'a' was forgotten when 'c' came in")
        _ = await classifier.classify(ChatRequest(messages: [.user("a")]))
        #expect(judge.requests.count == 4)
    }

    @Test("the router sends each tier to its route")
    func tieredRouting() async throws {
        let mini = answering("mini"), large = answering("large")
        let router = try ModelRouter(
            deployments: [deployment("mini", mini), deployment("large", large)],
            routes: [.simple: Route(["mini"]), .medium: Route(["mini"], fallbacks: ["large"]), .complex: Route(["large"])],
            classifier: HeuristicClassifier(), clock: ManualClock())
        #expect(try await router.respond(to: simpleRequest).routing?.deployment == "mini")
        let hard = ChatRequest(messages: [.user("Prove that there are infinitely many primes, step by step.")])
        let routing = try await router.respond(to: hard).routing
        #expect(routing?.deployment == "large" && routing?.tier == "complex")
    }
}
