import Foundation
import LLMCore
import LLMProviders
import LLMTesting
import Synchronization
import Testing

private func respond(_ status: Int, _ body: String, type: String = "application/json") -> String {
    "HTTP/1.1 \(status) X\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
}

private func requestLine(_ request: TestHTTPServer.Request) -> (method: String, path: String) {
    let parts = request.head.split(separator: "\r\n").first?.split(separator: " ") ?? []
    return (parts.first.map(String.init) ?? "", parts.count > 1 ? String(parts[1]) : "")
}

private func completionBody(_ text: String) -> String {
    let content = try! JSONValue.string(text).serialized()
    return #"{"id":"chatcmpl-x","object":"chat.completion","model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":\#(content)},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3}}"#
}

private let questions = ["a1", "a2", "bad-3", "a4"].map { BatchRequest(customID: $0, request: ChatRequest(model: "gpt-test", messages: [.user("question \($0)")])) }

/// A fake of OpenAI's Files + Batch API, as documented: upload → create → poll (validating,
/// in_progress, completed) → output and error files. Requests whose custom id starts with "bad"
/// fail with a 400 in the error file; the last request of the input gets no result at all when
/// `dropLast` is set (as when a batch expires).
private final class FakeOpenAIBatches: Sendable {
    struct State {
        var uploaded: [UInt8] = []
        var contentType = ""
        var purpose = ""
        var polls = 0
        var created: JSONValue?
    }
    let state = Mutex(State())
    let dropLast: Bool

    init(dropLast: Bool = false) { self.dropLast = dropLast }

    func handle(_ request: TestHTTPServer.Request, _ connection: TestHTTPServer.Connection) {
        let (method, path) = requestLine(request)
        switch (method, path) {
        case ("POST", "/v1/files"):
            let body = String(decoding: request.body, as: UTF8.self)
            state.withLock { state in
                state.uploaded = request.body
                state.contentType = request.head.lowercased().components(separatedBy: "content-type: ").dropFirst().first?.components(separatedBy: "\r\n").first ?? ""
                state.purpose = body.contains("name=\"purpose\"\r\n\r\nbatch\r\n") ? "batch" : ""
            }
            connection.write(respond(200, #"{"id":"file-in","object":"file","purpose":"batch"}"#))
        case ("POST", "/v1/batches"):
            let json = try? JSONValue(parsing: String(decoding: request.body, as: UTF8.self))
            state.withLock { $0.created = json }
            connection.write(respond(200, #"{"id":"batch_1","object":"batch","status":"validating","request_counts":{"total":0,"completed":0,"failed":0}}"#))
        case ("GET", "/v1/batches/batch_1"):
            let polls = state.withLock { state -> Int in
                state.polls += 1
                return state.polls
            }
            let body = polls < 2
                ? #"{"id":"batch_1","status":"in_progress","request_counts":{"total":4,"completed":1,"failed":0}}"#
                : #"{"id":"batch_1","status":"completed","output_file_id":"file-out","error_file_id":"file-err","request_counts":{"total":4,"completed":3,"failed":1}}"#
            connection.write(respond(200, body))
        case ("GET", "/v1/files/file-out/content"), ("GET", "/v1/files/file-err/content"):
            let errors = path.contains("file-err")
            let lines = inputLines().enumerated().compactMap { index, line -> String? in
                guard let id = line["custom_id"]?.stringValue else { return nil }
                if dropLast && index == inputLines().count - 1 { return nil }
                let bad = id.hasPrefix("bad")
                guard bad == errors else { return nil }
                if bad {
                    return #"{"id":"r-\#(id)","custom_id":"\#(id)","response":{"status_code":400,"body":{"error":{"message":"bad prompt","type":"invalid_request_error","code":"bad"}}},"error":null}"#
                }
                let question = line["body"]?["messages"]?[0]?["content"]?.stringValue ?? ""
                return #"{"id":"r-\#(id)","custom_id":"\#(id)","response":{"status_code":200,"request_id":"q","body":\#(completionBody("answer to " + question))},"error":null}"#
            }
            connection.write(respond(200, lines.joined(separator: "\n") + "\n", type: "application/octet-stream"))
        default:
            connection.write(respond(404, #"{"error":{"message":"no route \#(path)"}}"#))
        }
    }

    /// The JSONL file part of the upload, parsed.
    func inputLines() -> [JSONValue] {
        let body = String(decoding: state.withLock { $0.uploaded }, as: UTF8.self)
        guard let start = body.range(of: "Content-Type: application/jsonl\r\n\r\n"), let end = body.range(of: "\r\n--", range: start.upperBound..<body.endIndex) else {
            return []
        }
        return body[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }
}

/// A fake of Anthropic's Message Batches API: create → poll (in_progress, ended) → results_url.
private final class FakeAnthropicBatches: Sendable {
    let created = Mutex<JSONValue?>(nil)
    let polls = Mutex(0)
    let port = Mutex(0)

    func handle(_ request: TestHTTPServer.Request, _ connection: TestHTTPServer.Connection) {
        let (method, path) = requestLine(request)
        switch (method, path) {
        case ("POST", "/v1/messages/batches"):
            created.withLock { $0 = try? JSONValue(parsing: String(decoding: request.body, as: UTF8.self)) }
            connection.write(respond(200, #"{"id":"msgbatch_1","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":4,"succeeded":0,"errored":0,"canceled":0,"expired":0},"results_url":null}"#))
        case ("GET", "/v1/messages/batches/msgbatch_1"):
            let count = polls.withLock { value -> Int in
                value += 1
                return value
            }
            let url = "http://127.0.0.1:\(port.withLock { $0 })/v1/messages/batches/msgbatch_1/results"
            connection.write(respond(200, count < 2
                ? #"{"id":"msgbatch_1","processing_status":"in_progress","request_counts":{"processing":4,"succeeded":0,"errored":0,"canceled":0,"expired":0},"results_url":null}"#
                : #"{"id":"msgbatch_1","processing_status":"ended","request_counts":{"processing":0,"succeeded":2,"errored":1,"canceled":0,"expired":1},"results_url":"\#(url)"}"#))
        case ("GET", "/v1/messages/batches/msgbatch_1/results"):
            let lines = [
                #"{"custom_id":"a1","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"one"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":1}}}}"#,
                #"{"custom_id":"a2","result":{"type":"succeeded","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"two"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":1}}}}"#,
                #"{"custom_id":"bad-3","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens is too large"}}}}"#,
                #"{"custom_id":"a4","result":{"type":"expired"}}"#,
            ]
            connection.write(respond(200, lines.joined(separator: "\n") + "\n", type: "application/binary"))
        default:
            connection.write(respond(404, #"{"type":"error","error":{"type":"not_found_error","message":"no route"}}"#))
        }
    }
}

@Suite("Provider batch APIs against fakes that follow the documented formats")
struct BatchAPITests {
    @Test("OpenAI: upload JSONL, create, poll until completed, read output and error files")
    func openAIBatch() async throws {
        let fake = FakeOpenAIBatches()
        let server = try TestHTTPServer { fake.handle($0, $1) }
        defer { withExtendedLifetime(server) {} }
        let client = OpenAIClient(configuration: OpenAIConfiguration(baseURL: server.url.appendingPathComponent("v1"), apiKey: "sk-test"))
        let clock = ManualClock()
        let statuses = Mutex<[BatchJobStatus.State]>([])
        let run = Task { try await client.runBatch(questions, pollInterval: .seconds(60), clock: clock) { status in statuses.withLock { $0.append(status.state) } } }
        for _ in 0..<2 {
            await clock.waitForSleepers(count: 1)
            await clock.advance(by: .seconds(60))
        }
        let outcomes = try await run.value
        #expect(statuses.withLock { $0 } == [.validating, .inProgress, .completed])

        let lines = fake.inputLines()
        #expect(lines.count == 4)
        #expect(lines[0]["custom_id"] == "a1" && lines[0]["method"] == "POST" && lines[0]["url"] == "/v1/chat/completions")
        #expect(lines[0]["body"]?["model"] == "gpt-test" && lines[0]["body"]?["stream"] != true, "a batch line is a one-shot request")
        #expect(fake.state.withLock { $0.purpose } == "batch")
        #expect(fake.state.withLock { $0.contentType }.hasPrefix("multipart/form-data; boundary="))
        let created = try #require(fake.state.withLock { $0.created })
        #expect(created["input_file_id"] == "file-in" && created["endpoint"] == "/v1/chat/completions" && created["completion_window"] == "24h")

        #expect(try outcomes["a1"]?.get().text == "answer to question a1")
        #expect(try outcomes["a4"]?.get().usage == Usage(inputTokens: 7, outputTokens: 3))
        guard case .failure(let error)? = outcomes["bad-3"] else {
            Issue.record("bad-3 should have failed")
            return
        }
        #expect(error.kind == .badRequest && error.httpStatus == 400 && error.message == "bad prompt")
    }

    @Test("OpenAI: a request the output leaves out is reported, not lost")
    func openAIMissingResult() async throws {
        let fake = FakeOpenAIBatches(dropLast: true)
        let server = try TestHTTPServer { fake.handle($0, $1) }
        defer { withExtendedLifetime(server) {} }
        let client = OpenAIClient(configuration: OpenAIConfiguration(baseURL: server.url.appendingPathComponent("v1"), apiKey: "sk-test"))
        let clock = ManualClock()
        let run = Task { try await client.runBatch(questions, pollInterval: .seconds(1), clock: clock) }
        for _ in 0..<2 {
            await clock.waitForSleepers(count: 1)
            await clock.advance(by: .seconds(1))
        }
        let outcomes = try await run.value
        #expect(outcomes.count == 4)
        guard case .failure(let error)? = outcomes["a4"] else {
            Issue.record("a4 has no result and must be reported as failed")
            return
        }
        #expect(error.message.contains("without a result for a4"))
    }

    @Test("Anthropic: create a message batch, poll until ended, read results of every type")
    func anthropicBatch() async throws {
        let fake = FakeAnthropicBatches()
        let server = try TestHTTPServer { fake.handle($0, $1) }
        fake.port.withLock { $0 = server.port }
        defer { withExtendedLifetime(server) {} }
        let client = AnthropicClient(configuration: AnthropicConfiguration(baseURL: server.url, apiKey: "sk-ant-test"))
        let clock = ManualClock()
        let run = Task { try await client.runBatch(questions, pollInterval: .seconds(30), clock: clock) }
        for _ in 0..<2 {
            await clock.waitForSleepers(count: 1)
            await clock.advance(by: .seconds(30))
        }
        let outcomes = try await run.value
        let created = try #require(fake.created.withLock { $0 })
        #expect(created["requests"]?.arrayValue?.count == 4)
        #expect(created["requests"]?[2]?["custom_id"] == "bad-3")
        #expect(created["requests"]?[0]?["params"]?["messages"]?[0]?["content"] != nil)
        #expect(try outcomes["a1"]?.get().text == "one" && outcomes["a2"] != nil)
        guard case .failure(let invalid)? = outcomes["bad-3"], case .failure(let expired)? = outcomes["a4"] else {
            Issue.record("bad-3 and a4 should have failed")
            return
        }
        #expect(invalid.kind == .badRequest && invalid.message == "max_tokens is too large")
        #expect(expired.message.contains("expired"))
    }

    @Test("bad custom ids are refused before anything is sent")
    func customIDs() async throws {
        let unreachable = AnthropicClient(configuration: AnthropicConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!, apiKey: "k"))
        let request = ChatRequest(model: "m", messages: [.user("q")])
        for ids in [["has space"], ["x", "x"], [String(repeating: "a", count: 65)]] {
            do {
                _ = try await unreachable.submitBatch(ids.map { BatchRequest(customID: $0, request: request) })
                Issue.record("expected a refusal for \(ids)")
            } catch {
                #expect(error.kind == .badRequest)
            }
        }
        do {
            _ = try await OpenAIClient(configuration: OpenAIConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!)).submitBatch([])
            Issue.record("an empty batch must be refused")
        } catch {
            #expect(error.kind == .badRequest)
        }
    }
}
