import Foundation
import LLMCore
import LLMProviders

/// `llm-bench provider-overhead --base-url http://127.0.0.1:PORT/v1 [--requests 1000] [--json]`
///
/// Milliseconds per request through `OpenAIClient` against a server that answers at once
/// (`Benchmarks/peers/provider_stub_server.py`): one-shot `respond`, and `stream` read to the end.
/// One request at a time, best of 3 passes; the same server time is in every library's figure, so
/// differences are client overhead.
func runProviderOverheadBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    guard let base = try arguments.string("base-url"), let url = URL(string: base) else {
        throw Arguments.Problem(description: "--base-url of a running stub server is required")
    }
    let requests = try arguments.int("requests", default: 1000)
    let client = OpenAIClient(configuration: OpenAIConfiguration(baseURL: url, apiKey: "stub", defaultModel: "stub"))
    let request = ChatRequest(messages: [.user("What is the capital of France?")], temperature: 0)
    var report = Report(json: json)
    for mode in ["respond", "stream"] {
        let best = try blockingAwait { () async throws -> Double in
            var best = Double.infinity
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<requests {
                    if mode == "respond" {
                        _ = try await client.respond(to: request)
                    } else {
                        for try await _ in client.stream(request) {}
                    }
                }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(requests))
            }
            return best
        }
        report.add(Measurement(fields: [
            ("bench", .text("provider-overhead")), ("library", .text("ours")), ("mode", .text(mode)),
            ("ms_per_request", .number(best)),
        ]))
    }
    report.printTable()
}
