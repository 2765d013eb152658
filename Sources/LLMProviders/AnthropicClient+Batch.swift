import Foundation
import LLMCore

extension AnthropicClient: BatchSubmitting {
    /// Creates a Message Batch (`POST /v1/messages/batches`) with one `{custom_id, params}` per request.
    public func submitBatch(_ requests: [BatchRequest]) async throws(LLMError) -> BatchJobStatus {
        try validateBatch(
            requests,
            pattern: { id in id.count <= 64 && id.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") } },
            rule: " (Anthropic allows 1–64 letters, digits, '-' and '_')")
        var items: [JSONValue] = []
        for request in requests {
            items.append(["custom_id": .string(request.customID), "params": try AnthropicWire.body(request.request, configuration: configuration, stream: false)])
        }
        let json = try await exchange("POST", configuration.baseURL.appendingPathComponent("v1/messages/batches"), body: ["requests": .array(items)])
        return try Self.batchStatus(from: json)
    }

    /// `GET /v1/messages/batches/{id}`.
    public func batchStatus(id: String) async throws(LLMError) -> BatchJobStatus {
        try Self.batchStatus(from: try await exchange("GET", configuration.baseURL.appendingPathComponent("v1/messages/batches/\(id)"), body: nil))
    }

    /// Downloads the results (`results_url`, JSON Lines) and reads every line.
    public func batchResults(of status: BatchJobStatus) async throws(LLMError) -> [String: Result<ChatResponse, LLMError>] {
        guard let location = status.resultsLocation, let url = URL(string: location) else { return [:] }
        let (head, bytes) = try await transport.data(for: HTTPRequest(method: "GET", url: url, headers: headers(), timeouts: configuration.timeouts))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes) }
        var outcomes: [String: Result<ChatResponse, LLMError>] = [:]
        for line in try jsonLines(bytes, provider: "anthropic") {
            guard let id = line["custom_id"]?.stringValue, let result = line["result"] else { continue }
            switch result["type"]?.stringValue {
            case "succeeded":
                guard let message = result["message"] else {
                    outcomes[id] = .failure(LLMError(kind: .decoding, message: "a succeeded result has no message", provider: "anthropic"))
                    continue
                }
                do { outcomes[id] = .success(try AnthropicWire.response(from: message, requestedModel: message["model"]?.stringValue ?? "")) } catch {
                    outcomes[id] = .failure(error)
                }
            case "errored":
                let inner = result["error"]?["error"] ?? result["error"]
                let type = inner?["type"]?.stringValue
                let kind: LLMError.Kind = type == "invalid_request_error" ? .badRequest : type == "overloaded_error" ? .overloaded : .server
                outcomes[id] = .failure(LLMError(kind: kind, message: inner?["message"]?.stringValue ?? "the request failed", providerCode: type, provider: "anthropic"))
            case let other:
                outcomes[id] = .failure(LLMError(kind: .server, message: "the request was \(other ?? "not processed") before it finished", provider: "anthropic"))
            }
        }
        return outcomes
    }

    private func headers() -> [String: String] {
        var headers = configuration.extraHeaders
        headers["anthropic-version"] = configuration.version
        if let key = configuration.apiKey { headers["x-api-key"] = key }
        return headers
    }

    private func exchange(_ method: String, _ url: URL, body: JSONValue?) async throws(LLMError) -> JSONValue {
        var headers = headers()
        var data: Data?
        if let body {
            headers["content-type"] = "application/json"
            do { data = Data(try body.serializedBytes()) } catch {
                throw LLMError(kind: .badRequest, message: "the batch cannot be written as JSON: \(error)")
            }
        }
        let (head, bytes) = try await transport.data(for: HTTPRequest(method: method, url: url, headers: headers, body: data, timeouts: configuration.timeouts))
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes) }
        do { return try JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            throw LLMError(kind: .decoding, message: "Anthropic's answer is not JSON: \(error)", provider: "anthropic")
        }
    }

    static func batchStatus(from json: JSONValue) throws(LLMError) -> BatchJobStatus {
        guard let id = json["id"]?.stringValue, let raw = json["processing_status"]?.stringValue else {
            throw LLMError(kind: .decoding, message: "the message batch has no id or processing_status", provider: "anthropic")
        }
        let counts = json["request_counts"]
        func count(_ key: String) -> Int { Int(counts?[key]?.integerValue ?? 0) }
        let state: BatchJobStatus.State = switch raw {
        case "ended": .completed
        case "canceling": .cancelling
        default: .inProgress
        }
        return BatchJobStatus(
            id: id, state: state,
            total: count("processing") + count("succeeded") + count("errored") + count("canceled") + count("expired"),
            succeeded: count("succeeded"), failed: count("errored") + count("canceled") + count("expired"),
            resultsLocation: json["results_url"]?.stringValue, errorsLocation: nil, failureMessage: nil)
    }
}
