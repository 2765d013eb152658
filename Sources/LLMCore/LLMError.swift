/// The one error type every module of this package throws for model calls.
///
/// Switch on ``kind`` to decide what to do; ask ``isRetryable`` whether trying
/// again (after ``retryAfter``, if set) can succeed.
public struct LLMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, at the level a caller acts on.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Too many requests or tokens per minute (HTTP 429). Retry after a delay.
        case rateLimited
        /// The provider is temporarily over capacity (HTTP 503, 529). Retry after a delay.
        case overloaded
        /// The provider failed internally (HTTP 500, 502, 504). Retry.
        case server
        /// The credentials are missing or invalid (HTTP 401). Fix the API key.
        case authentication
        /// The credentials lack access to this model or resource (HTTP 403).
        case permissionDenied
        /// The model or endpoint does not exist (HTTP 404). Check the model name and base URL.
        case notFound
        /// The provider rejected the request as malformed (HTTP 400, 422). Fix the request.
        case badRequest
        /// The prompt plus requested output exceed the model's context window. Shorten the prompt or use a larger model.
        case contextLengthExceeded
        /// The provider refused the input or output on policy grounds.
        case contentFiltered
        /// No answer within the allowed time. Retry, perhaps with a longer timeout.
        case timeout
        /// The connection failed or broke off (DNS, TLS, reset, a stream cut mid-way). Retry.
        case transport
        /// The provider's answer could not be understood (malformed JSON, a missing field).
        case decoding
        /// The caller cancelled the work.
        case cancelled
        /// A spending or token budget would be exceeded; raise the budget or wait for it to renew.
        case budgetExceeded
        /// A circuit breaker is open and rejected the call without trying; wait for it to close.
        case circuitOpen
        /// A bulkhead in this process already runs as many calls as it allows and its queue is full;
        /// the call was rejected without trying. Retry later or raise the bulkhead's limits.
        case bulkheadFull
    }

    /// What went wrong.
    public var kind: Kind
    /// The provider's message, or ours, saying what happened and what to do.
    public var message: String
    /// The HTTP status, when the error came from an HTTP response.
    public var httpStatus: Int?
    /// The HTTP response headers (names lowercased), when there were some.
    public var headers: [String: String]
    /// How long the provider asked us to wait before retrying.
    public var retryAfter: Duration?
    /// The provider's own error code or type (for example `insufficient_quota`), when it gave one.
    public var providerCode: String?
    /// The provider that failed (for example `openai`), when known.
    public var provider: String?
    /// Whether a 429 means the account is out of credit or quota rather than briefly over its rate:
    /// such an error never succeeds on retry.
    public var isQuotaExhausted: Bool

    /// Creates an error.
    public init(
        kind: Kind,
        message: String,
        httpStatus: Int? = nil,
        headers: [String: String] = [:],
        retryAfter: Duration? = nil,
        providerCode: String? = nil,
        provider: String? = nil,
        isQuotaExhausted: Bool = false
    ) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.headers = headers
        self.retryAfter = retryAfter
        self.providerCode = providerCode
        self.provider = provider
        self.isQuotaExhausted = isQuotaExhausted
    }

    /// Whether the same request may succeed if tried again: true for rate limits
    /// (but not an exhausted quota), overload, server errors, timeouts,
    /// transport failures and a full bulkhead; false for everything else. A provider's
    /// `x-should-retry: true` or `false` header overrides the kind, as OpenAI's and Anthropic's own
    /// clients let it (an exhausted quota stays final).
    public var isRetryable: Bool {
        switch headers["x-should-retry"]?.lowercased() {
        case "true"?: return !isQuotaExhausted
        case "false"?: return false
        default: break
        }
        return switch kind {
        case .rateLimited: !isQuotaExhausted
        case .overloaded, .server, .timeout, .transport, .bulkheadFull: true
        case .authentication, .permissionDenied, .notFound, .badRequest, .contextLengthExceeded,
            .contentFiltered, .decoding, .cancelled, .budgetExceeded, .circuitOpen:
            false
        }
    }

    /// A one-line summary: kind, provider, status and message.
    public var description: String {
        var parts = ["LLMError.\(kind.rawValue)"]
        if let provider { parts.append("[\(provider)]") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let providerCode { parts.append("(\(providerCode))") }
        var text = parts.joined(separator: " ") + ": " + message
        if let retryAfter { text += " (retry after \(retryAfter))" }
        return text
    }

    /// The error for work the caller cancelled.
    public static func cancelled(_ message: String = "the operation was cancelled") -> LLMError {
        LLMError(kind: .cancelled, message: message)
    }

    /// Wraps any error as an `LLMError`: an `LLMError` is returned as it is,
    /// `CancellationError` becomes ``Kind/cancelled``, a `DecodingError` becomes
    /// ``Kind/decoding`` and anything else ``Kind/transport`` with its description.
    public init(_ error: any Error) {
        switch error {
        case let error as LLMError: self = error
        case is CancellationError: self = .cancelled()
        case let error as DecodingError: self.init(kind: .decoding, message: "\(error)")
        default: self.init(kind: .transport, message: "\(error)")
        }
    }
}
