import Foundation
import Testing

@testable import LLMCore

@Suite("LLMError")
struct LLMErrorTests {
    @Test("retryability by kind", arguments: LLMError.Kind.allCases)
    func retryability(kind: LLMError.Kind) {
        let retryable: Set<LLMError.Kind> = [.rateLimited, .overloaded, .server, .timeout, .transport, .bulkheadFull]
        #expect(LLMError(kind: kind, message: "").isRetryable == retryable.contains(kind))
    }

    @Test("an exhausted quota is a 429 that is never retried")
    func quota() {
        let error = LLMError(
            httpStatus: 429, headers: [:], message: "You exceeded your current quota, please check your plan",
            providerCode: "insufficient_quota")
        #expect(error.kind == .rateLimited)
        #expect(error.isQuotaExhausted)
        #expect(!error.isRetryable)
        let transient = LLMError(httpStatus: 429, headers: [:], message: "Rate limit reached for requests")
        #expect(transient.isRetryable)
    }

    @Test(
        "HTTP statuses map to kinds",
        arguments: [
            (400, "bad", LLMError.Kind.badRequest), (401, "", .authentication), (403, "", .permissionDenied),
            (404, "", .notFound), (408, "", .timeout), (413, "", .badRequest), (422, "", .badRequest),
            (429, "", .rateLimited), (500, "", .server), (502, "", .server), (503, "", .overloaded),
            (504, "", .server), (529, "Overloaded", .overloaded), (500, "the server is overloaded", .overloaded),
            (400, "This model's maximum context length is 8192 tokens", .contextLengthExceeded),
            (400, "prompt is too long: 210000 tokens > 200000 maximum", .contextLengthExceeded),
            (400, "the request exceeds the available context size, try increasing it", .contextLengthExceeded),
            (400, "content_policy_violation", .contentFiltered),
        ])
    func statusMapping(status: Int, message: String, kind: LLMError.Kind) {
        #expect(LLMError(httpStatus: status, headers: [:], message: message).kind == kind)
    }

    @Test("Retry-After is read from seconds, milliseconds and HTTP dates, header names in any case")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 784_111_777 - 90)  // 90 s before Sun, 06 Nov 1994 08:49:37 GMT
        func delay(_ headers: [String: String]) -> Duration? {
            LLMError(httpStatus: 429, headers: headers, message: "", now: now).retryAfter
        }
        #expect(delay(["Retry-After": "7"]) == .seconds(7))
        #expect(delay(["retry-after": " 1.5 "]) == .milliseconds(1500))
        #expect(delay(["retry-after-ms": "250", "retry-after": "9"]) == .milliseconds(250))
        #expect(delay(["Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"]) == .seconds(90))
        #expect(delay(["Retry-After": "Sunday, 06-Nov-94 08:49:37 GMT"]) == .seconds(90))
        #expect(delay(["Retry-After": "Sun Nov  6 08:49:37 1994"]) == .seconds(90))
        #expect(delay(["Retry-After": "Sun, 06 Nov 1994 08:40:00 GMT"]) == .zero)
        #expect(delay(["Retry-After": "soon"]) == nil)
        #expect(delay(["Retry-After": "-3"]) == nil)
        #expect(delay([:]) == nil)
    }

    @Test("HTTP dates agree with Foundation's calendar over many days")
    func civilDays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = TestRandom(seed: 3)
        for _ in 0..<500 {
            let seconds = Double(generator.next(upperBound: 4_000_000_000))
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let days = HTTPDate.daysSinceEpoch(year: parts.year!, month: parts.month!, day: parts.day!)
            #expect(days == Int(seconds) / 86_400)
        }
    }

    @Test("wrapping other errors")
    func wrapping() {
        #expect(LLMError(CancellationError()).kind == .cancelled)
        let original = LLMError(kind: .timeout, message: "t")
        #expect(LLMError(original) == original)
        struct Other: Error {}
        #expect(LLMError(Other()).kind == .transport)
    }

    @Test("the description says kind, status and message")
    func description() {
        let error = LLMError(httpStatus: 503, headers: ["retry-after": "2"], message: "busy", provider: "openai")
        #expect(error.description == "LLMError.overloaded [openai] HTTP 503: busy (retry after 2.0 seconds)")
    }

    @Test("x-should-retry overrides the kind's retryability")
    func shouldRetryHeader() {
        #expect(!LLMError(httpStatus: 503, headers: ["X-Should-Retry": "false"], message: "busy").isRetryable)
        #expect(LLMError(httpStatus: 409, headers: ["x-should-retry": "true"], message: "lock timeout").isRetryable)
        #expect(LLMError(httpStatus: 503, headers: [:], message: "busy").isRetryable)
    }
}
