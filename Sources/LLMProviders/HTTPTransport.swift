import Foundation
import LLMCore

/// An HTTP request as the provider clients make it.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`…
    public var method: String
    /// The full URL.
    public var url: URL
    /// Header fields (names in any case).
    public var headers: [String: String]
    /// The body, if any.
    public var body: Data?
    /// How long to wait at each stage.
    public var timeouts: HTTPTimeouts

    /// Creates a request.
    public init(
        method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil,
        timeouts: HTTPTimeouts = HTTPTimeouts()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// How long a request may wait at each stage; each limit passed is an ``LLMCore/LLMError`` of kind
/// ``LLMCore/LLMError/Kind/timeout``.
public struct HTTPTimeouts: Sendable, Hashable {
    /// From sending the request until the response head arrives (connecting included): a model
    /// thinking before its first token counts here.
    public var firstByte: Duration
    /// The longest silence allowed between two pieces of the body once it has started.
    public var idle: Duration

    /// Creates limits.
    public init(firstByte: Duration = .seconds(120), idle: Duration = .seconds(60)) {
        self.firstByte = firstByte
        self.idle = idle
    }
}

/// The status line and headers of a response.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The header fields, names lowercased.
    public var headers: [String: String]

    /// Creates a response head; header names are lowercased.
    public init(status: Int, headers: [String: String]) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Sends HTTP requests and streams their responses. ``URLSessionTransport`` is the real one;
/// tests and users can substitute their own (a recorded transcript, a proxy, another HTTP stack).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response head as soon as it arrives, with the body still
    /// streaming. Dropping or cancelling the body stream cancels the request.
    ///
    /// - Throws: ``LLMCore/LLMError`` of kind `transport` (no connection), `timeout`, or `cancelled`.
    func send(_ request: HTTPRequest) async throws(LLMError) -> (HTTPResponseHead, HTTPBodyStream)
}

extension HTTPTransport {
    /// Sends `request` and collects the whole body.
    ///
    /// - Throws: as ``HTTPTransport/send(_:)``, and for a body that fails part-way.
    public func data(for request: HTTPRequest) async throws(LLMError) -> (HTTPResponseHead, [UInt8]) {
        let (head, body) = try await send(request)
        return (head, try await body.collect())
    }
}
