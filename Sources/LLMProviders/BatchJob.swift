import Foundation
import LLMCore

/// One request in a provider batch, named so its result can be found.
public struct BatchRequest: Sendable, Hashable {
    /// The caller's id for the request, unique within the batch (for Anthropic: 1–64 letters,
    /// digits, `-` or `_`).
    public var customID: String
    /// The request.
    public var request: ChatRequest

    /// Creates a batch request.
    public init(customID: String, request: ChatRequest) {
        self.customID = customID
        self.request = request
    }
}

/// Where a provider batch job is.
public struct BatchJobStatus: Sendable, Hashable {
    /// The provider's states, folded into one vocabulary.
    public enum State: String, Sendable, Hashable {
        /// Accepted, being checked or queued.
        case validating
        /// Running.
        case inProgress
        /// Collecting results.
        case finalizing
        /// Done; results can be fetched.
        case completed
        /// The whole job failed (for example its input file was invalid).
        case failed
        /// Not finished within the completion window; finished requests still have results.
        case expired
        /// Being cancelled.
        case cancelling
        /// Cancelled; finished requests still have results.
        case cancelled
    }

    /// The provider's batch id.
    public var id: String
    /// The state.
    public var state: State
    /// Requests in the batch.
    public var total: Int
    /// Requests that succeeded so far.
    public var succeeded: Int
    /// Requests that failed so far.
    public var failed: Int
    /// Where the provider keeps the results (a file id for OpenAI, a URL for Anthropic), once there are some.
    public var resultsLocation: String?
    /// Where OpenAI keeps the failed requests' errors, when there are some.
    public var errorsLocation: String?
    /// The provider's explanation when the whole job failed.
    public var failureMessage: String?

    /// Creates a status (for a `BatchSubmitting` of your own, or a test double).
    public init(
        id: String, state: State, total: Int, succeeded: Int, failed: Int, resultsLocation: String? = nil,
        errorsLocation: String? = nil, failureMessage: String? = nil
    ) {
        self.id = id
        self.state = state
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.resultsLocation = resultsLocation
        self.errorsLocation = errorsLocation
        self.failureMessage = failureMessage
    }

    /// Whether the job will not change any more.
    public var isFinished: Bool { [.completed, .failed, .expired, .cancelled].contains(state) }
}

/// A provider that runs batches of requests asynchronously at a discount (OpenAI's Batch API and
/// Anthropic's Message Batches, both about half the price, results within 24 hours).
public protocol BatchSubmitting: Sendable {
    /// Submits `requests` as one batch.
    ///
    /// - Throws: ``LLMCore/LLMError/Kind/badRequest`` for an empty batch or bad or repeated custom ids,
    ///   before anything is sent; otherwise the provider's error.
    func submitBatch(_ requests: [BatchRequest]) async throws(LLMError) -> BatchJobStatus

    /// The job's state now.
    func batchStatus(id: String) async throws(LLMError) -> BatchJobStatus

    /// Each finished request's answer or error, by custom id.
    func batchResults(of status: BatchJobStatus) async throws(LLMError) -> [String: Result<ChatResponse, LLMError>]
}

extension BatchSubmitting {
    /// Submits `requests`, polls every `pollInterval` until the job finishes, and returns an outcome
    /// for every request: its answer, its error, or — when the provider returned nothing for it
    /// (the job expired, failed or was cancelled) — an error saying so. Nothing is silently dropped.
    public func runBatch(
        _ requests: [BatchRequest], pollInterval: Duration = .seconds(30), clock: some Clock<Duration> = ContinuousClock(),
        onStatus: @Sendable (BatchJobStatus) -> Void = { _ in }
    ) async throws(LLMError) -> [String: Result<ChatResponse, LLMError>] {
        var status = try await submitBatch(requests)
        onStatus(status)
        while !status.isFinished {
            do { try await clock.sleep(for: pollInterval) } catch { throw .cancelled() }
            status = try await batchStatus(id: status.id)
            onStatus(status)
        }
        var outcomes = try await batchResults(of: status)
        for request in requests where outcomes[request.customID] == nil {
            let why = status.failureMessage.map { ": \($0)" } ?? ""
            outcomes[request.customID] = .failure(LLMError(
                kind: status.state == .failed ? .badRequest : .server,
                message: "batch \(status.id) ended \(status.state.rawValue) without a result for \(request.customID)\(why)"))
        }
        return outcomes
    }
}

/// Checks a batch's custom ids before anything is sent.
func validateBatch(_ requests: [BatchRequest], pattern: ((String) -> Bool)? = nil, rule: String = "") throws(LLMError) {
    guard !requests.isEmpty else { throw LLMError(kind: .badRequest, message: "a batch needs at least one request") }
    var seen = Set<String>()
    for request in requests {
        guard !request.customID.isEmpty, pattern?(request.customID) ?? true else {
            throw LLMError(kind: .badRequest, message: "custom id '\(request.customID)' is not allowed\(rule)")
        }
        guard seen.insert(request.customID).inserted else {
            throw LLMError(kind: .badRequest, message: "custom id '\(request.customID)' appears twice in the batch; ids must be unique")
        }
        try request.request.validate()
    }
}

/// The lines of a JSON Lines body, parsed; a line that is not JSON is a decoding error naming it.
func jsonLines(_ bytes: [UInt8], provider: String) throws(LLMError) -> [JSONValue] {
    var values: [JSONValue] = []
    for (index, line) in bytes.split(separator: 10).enumerated() {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { continue }
        do {
            values.append(try JSONValue(parsing: text))
        } catch {
            throw LLMError(kind: .decoding, message: "line \(index + 1) of the batch results is not JSON: \(error)", provider: provider)
        }
    }
    return values
}
