#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension LLMError {
    /// Classifies a failed HTTP response the way every provider client in this package does.
    ///
    /// The status decides the kind (400/422 bad request, 401 authentication,
    /// 403 permission denied, 404 not found, 408 timeout, 413 bad request,
    /// 429 rate limited, 500/502/504 server, 503/529 overloaded, other 5xx
    /// server, other 4xx bad request); the provider's code and message refine it
    /// (an exhausted quota, a context-length overflow, a content-policy refusal).
    /// The wait comes from `retry-after-ms` or `retry-after` (seconds or an HTTP date).
    ///
    /// - Parameters:
    ///   - httpStatus: The response status.
    ///   - headers: The response headers; names are matched case-insensitively.
    ///   - message: The provider's error message (or the response body when it had none).
    ///   - providerCode: The provider's error code or type, if the body had one.
    ///   - provider: A short name for the provider, for messages.
    ///   - now: The current time, to turn an HTTP-date `retry-after` into a delay.
    public init(
        httpStatus: Int, headers: [String: String], message: String, providerCode: String? = nil,
        provider: String? = nil, now: Date = Date()
    ) {
        var lowercased: [String: String] = [:]
        for (name, value) in headers { lowercased[name.lowercased()] = value }
        let haystack = ((providerCode ?? "") + " " + message).lowercased()
        let mentions = { (needles: [String]) in needles.contains { haystack.contains($0) } }

        var kind: Kind
        switch httpStatus {
        case 401: kind = .authentication
        case 403: kind = .permissionDenied
        case 404: kind = .notFound
        case 408: kind = .timeout
        case 429: kind = .rateLimited
        case 503, 529: kind = .overloaded
        case 500...599: kind = .server
        default: kind = .badRequest
        }
        if kind == .badRequest || kind == .server {
            if mentions([
                "context_length", "context length", "context window", "context size", "exceed_context_size",
                "prompt is too long", "too many tokens",
            ]) {
                kind = .contextLengthExceeded
            } else if mentions(["content_filter", "content_policy", "content policy", "safety system"]) {
                kind = .contentFiltered
            }
        }
        if mentions(["overloaded"]) && kind == .server { kind = .overloaded }
        let quota = kind == .rateLimited
            && mentions(["insufficient_quota", "exceeded your current quota", "billing", "credit balance"])

        self.init(
            kind: kind, message: message, httpStatus: httpStatus, headers: lowercased,
            retryAfter: Self.retryAfter(fromHeaders: lowercased, now: now),
            providerCode: providerCode, provider: provider, isQuotaExhausted: quota)
    }

    /// The delay a response asks for: `retry-after-ms` (milliseconds) first, then
    /// `retry-after` as delta-seconds or an HTTP date. Header names must be lowercased.
    /// Returns `nil` when neither is present or readable; a date in the past gives zero.
    public static func retryAfter(fromHeaders headers: [String: String], now: Date = Date()) -> Duration? {
        if let raw = headers["retry-after-ms"]?.trimmingWhitespace(), let milliseconds = Double(raw),
            milliseconds.isFinite, milliseconds >= 0
        {
            return .milliseconds(milliseconds)
        }
        guard let raw = headers["retry-after"]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
        if let seconds = Double(raw) {
            return seconds.isFinite && seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = HTTPDate.parse(raw) else { return nil }
        let delay = date.timeIntervalSince(now)
        return .seconds(max(0, delay))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
