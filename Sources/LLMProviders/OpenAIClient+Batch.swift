import Foundation
import LLMCore

extension OpenAIClient: BatchSubmitting {
    /// Uploads the requests as a JSONL file (`POST /files`, purpose `batch`) and creates a batch on
    /// `/v1/chat/completions` with a 24-hour window (`POST /batches`).
    public func submitBatch(_ requests: [BatchRequest]) async throws(LLMError) -> BatchJobStatus {
        try validateBatch(requests)
        var file: [UInt8] = []
        for request in requests {
            let line: JSONValue = [
                "custom_id": .string(request.customID), "method": "POST", "url": "/v1/chat/completions",
                "body": try OpenAIWire.chatBody(request.request, configuration: configuration, stream: false),
            ]
            do { file += try line.serializedBytes() } catch {
                throw LLMError(kind: .badRequest, message: "request \(request.customID) cannot be written as JSON: \(error)")
            }
            file.append(10)
        }
        let boundary = "llm-toolkit-\(UUID().uuidString)"
        var body = Data()
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n".utf8))
        body.append(Data(file))
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var headers = Self.headers(configuration)
        headers["Content-Type"] = "multipart/form-data; boundary=\(boundary)"
        let uploaded = try await exchange(HTTPRequest(
            method: "POST", url: Self.url("files", configuration: configuration), headers: headers, body: body,
            timeouts: configuration.timeouts))
        guard let fileID = uploaded["id"]?.stringValue else {
            throw LLMError(kind: .decoding, message: "the file upload returned no id", provider: configuration.providerName)
        }
        let created = try await exchange(try Self.post(
            "batches", body: ["input_file_id": .string(fileID), "endpoint": "/v1/chat/completions", "completion_window": "24h"],
            configuration: configuration))
        return try Self.batchStatus(from: created, provider: configuration.providerName)
    }

    /// `GET /batches/{id}`.
    public func batchStatus(id: String) async throws(LLMError) -> BatchJobStatus {
        let json = try await exchange(HTTPRequest(
            method: "GET", url: Self.url("batches/\(id)", configuration: configuration), headers: Self.headers(configuration),
            timeouts: configuration.timeouts))
        return try Self.batchStatus(from: json, provider: configuration.providerName)
    }

    /// Downloads the output file and the error file (`GET /files/{id}/content`) and reads every line.
    public func batchResults(of status: BatchJobStatus) async throws(LLMError) -> [String: Result<ChatResponse, LLMError>] {
        var outcomes: [String: Result<ChatResponse, LLMError>] = [:]
        for location in [status.resultsLocation, status.errorsLocation].compactMap({ $0 }) {
            let (head, bytes) = try await transport.data(for: HTTPRequest(
                method: "GET", url: Self.url("files/\(location)/content", configuration: configuration),
                headers: Self.headers(configuration), timeouts: configuration.timeouts))
            guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes, configuration: configuration) }
            for line in try jsonLines(bytes, provider: configuration.providerName) {
                guard let id = line["custom_id"]?.stringValue else { continue }
                outcomes[id] = outcome(of: line)
            }
        }
        return outcomes
    }

    /// One output line: `{"custom_id", "response": {"status_code", "body"}, "error"}`.
    private func outcome(of line: JSONValue) -> Result<ChatResponse, LLMError> {
        let provider = configuration.providerName
        if let error = line["error"], !error.isNull {
            return .failure(LLMError(
                kind: .server, message: error["message"]?.stringValue ?? "the batch request failed",
                providerCode: error["code"]?.stringValue, provider: provider))
        }
        guard let response = line["response"], let status = response["status_code"]?.integerValue, let body = response["body"] else {
            return .failure(LLMError(kind: .decoding, message: "a batch result has no response", provider: provider))
        }
        guard (200..<300).contains(status) else {
            let envelope = body["error"]
            return .failure(LLMError(
                httpStatus: Int(status), headers: [:], message: envelope?["message"]?.stringValue ?? "HTTP \(status)",
                providerCode: envelope?["code"]?.stringValue ?? envelope?["type"]?.stringValue, provider: provider))
        }
        do {
            return .success(try OpenAIWire.response(from: body, requestedModel: body["model"]?.stringValue ?? ""))
        } catch {
            return .failure(error)
        }
    }

    private func exchange(_ request: HTTPRequest) async throws(LLMError) -> JSONValue {
        let (head, bytes) = try await transport.data(for: request)
        guard (200..<300).contains(head.status) else { throw Self.error(head: head, bytes: bytes, configuration: configuration) }
        return try Self.parse(bytes, provider: configuration.providerName)
    }

    static func batchStatus(from json: JSONValue, provider: String) throws(LLMError) -> BatchJobStatus {
        guard let id = json["id"]?.stringValue, let raw = json["status"]?.stringValue else {
            throw LLMError(kind: .decoding, message: "the batch object has no id or status", provider: provider)
        }
        let state: BatchJobStatus.State = switch raw {
        case "validating": .validating
        case "in_progress": .inProgress
        case "finalizing": .finalizing
        case "completed": .completed
        case "failed": .failed
        case "expired": .expired
        case "cancelling": .cancelling
        case "cancelled": .cancelled
        default: .inProgress
        }
        let counts = json["request_counts"]
        let failure = json["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue }.joined(separator: "; ")
        return BatchJobStatus(
            id: id, state: state, total: Int(counts?["total"]?.integerValue ?? 0), succeeded: Int(counts?["completed"]?.integerValue ?? 0),
            failed: Int(counts?["failed"]?.integerValue ?? 0), resultsLocation: json["output_file_id"]?.stringValue,
            errorsLocation: json["error_file_id"]?.stringValue, failureMessage: failure?.isEmpty == false ? failure : nil)
    }
}
