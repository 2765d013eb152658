import Foundation
import LLMCore
import Resilience

/// `llm-bench resilience-overhead [--calls 2000000] [--json]`
///
/// Nanoseconds per `respond(to:)` through each decorator stack on a model that answers at once
/// with a prebuilt response: the cost the wrappers add to a call that does not fail. Production
/// clocks (`ContinuousClock`), one task, best of 3 passes. "pass-through wrapper" forwards and does
/// nothing else: the floor one more async call costs. The timeout wrapper starts two child tasks
/// per call, so it is measured with fewer calls.
func runResilienceOverhead(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let calls = try arguments.int("calls", default: 2_000_000)
    let rows = try blockingAwait { try await measureStacks(calls: calls) }
    var report = Report(json: json)
    let bare = rows.first { $0.stack == "bare" }?.nanoseconds ?? 0
    for row in rows {
        report.add(Measurement(fields: [
            ("bench", .text("resilience-overhead")), ("library", .text("ours")), ("stack", .text(row.stack)),
            ("ns_per_call", .number(row.nanoseconds)), ("overhead_ns", .number(max(0, row.nanoseconds - bare))),
        ]))
    }
    report.printTable()
}

/// A model that answers at once, so what is timed is the wrappers.
private struct InstantModel: ChatModel {
    let response = ChatResponse(message: .assistant("ok"), finishReason: .stop, model: "instant", id: "r")

    @inline(never)
    func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse { response }
    func stream(_ request: ChatRequest) -> ChatStream { ChatStream(events: response.streamEvents) }
}

/// A wrapper that only forwards: the floor any decorator pays for one more async call.
private struct PassThroughModel<Base: ChatModel>: ChatModel {
    let base: Base

    func respond(to request: ChatRequest) async throws(LLMError) -> ChatResponse { try await base.respond(to: request) }
    func stream(_ request: ChatRequest) -> ChatStream { base.stream(request) }
}

private struct StackTiming: Sendable {
    var stack: String
    var nanoseconds: Double
}

private func time<M: ChatModel>(_ model: M, calls: Int) async throws -> Double {
    let request = ChatRequest(messages: [.user("hi")])
    var best = Double.infinity
    var answered = 0
    for _ in 0..<3 {
        let start = now()
        for _ in 0..<calls { answered &+= try await model.respond(to: request).usage.outputTokens &+ 1 }
        best = min(best, (now() - start) / Double(calls) * 1e9)
    }
    // Using the answers keeps the optimiser from deleting the calls.
    if answered != 3 * calls { throw Arguments.Problem(description: "a call went missing") }
    return best
}

private func measureStacks(calls: Int) async throws -> [StackTiming] {
    let base = InstantModel()
    let breaker = try CircuitBreaker(configuration: CircuitBreakerConfiguration(slidingWindow: .time(.seconds(60), buckets: 60)))
    let retrier = try Retrier(budget: RetryBudget())
    let limiter = try RateLimiter<String>(.tokenBucket(capacity: 1_000_000_000, refill: 1_000_000_000, per: .seconds(1)))
    let bulkhead = try Bulkhead(maxConcurrentCalls: 64)
    let timeout = try Timeout(limit: .seconds(60))
    var rows: [StackTiming] = []
    rows.append(StackTiming(stack: "bare", nanoseconds: try await time(base, calls: calls)))
    rows.append(StackTiming(stack: "pass-through wrapper", nanoseconds: try await time(PassThroughModel(base: base), calls: calls)))
    rows.append(StackTiming(stack: "breaker", nanoseconds: try await time(base.circuitBreaking(breaker), calls: calls)))
    rows.append(StackTiming(stack: "retry", nanoseconds: try await time(base.retrying(retrier), calls: calls)))
    rows.append(StackTiming(
        stack: "breaker+retry", nanoseconds: try await time(base.circuitBreaking(breaker).retrying(retrier), calls: calls)))
    rows.append(StackTiming(
        stack: "rate-limit", nanoseconds: try await time(base.rateLimited(limiter) { _ in "key" }, calls: calls)))
    rows.append(StackTiming(stack: "bulkhead", nanoseconds: try await time(base.bulkhead(bulkhead), calls: calls)))
    rows.append(StackTiming(
        stack: "bulkhead+rate-limit+breaker+retry",
        nanoseconds: try await time(
            base.bulkhead(bulkhead).rateLimited(limiter) { _ in "key" }.circuitBreaking(breaker).retrying(retrier), calls: calls)))
    rows.append(StackTiming(stack: "timeout", nanoseconds: try await time(base.timeout(timeout), calls: max(1, calls / 20))))
    return rows
}
