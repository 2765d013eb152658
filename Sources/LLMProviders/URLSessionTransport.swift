import Foundation
import LLMCore
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An ``HTTPTransport`` on `URLSession` that streams on Linux as well as on Apple platforms.
///
/// On Linux, `URLSession.bytes(for:)` does not exist and a delegate set on a single task receives
/// no streaming callbacks; so one session has one delegate for all requests, which routes each
/// callback by task identifier to that request's continuations (kept under a mutex). The body is
/// delivered as it arrives; when the consumer falls more than 4 MB behind, the task is suspended
/// until it catches up. Cancelling the caller, or dropping the body stream, cancels the task and
/// the server sees the connection close.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let router: TaskRouter

    /// Creates a transport with its own session.
    public init() {
        let router = TaskRouter()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        self.router = router
        self.session = URLSession(configuration: configuration, delegate: router, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends the request; returns when the response head has arrived.
    public func send(_ request: HTTPRequest) async throws(LLMError) -> (HTTPResponseHead, HTTPBodyStream) {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        // Foundation's request timeout is the longest silence allowed, which is our idle limit;
        // the first-byte limit is a timer below.
        urlRequest.timeoutInterval = max(0.001, Double(request.timeouts.idle.components.seconds)
            + Double(request.timeouts.idle.components.attoseconds) / 1e18)
        let task = session.dataTask(with: urlRequest)
        let (chunks, body) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let level = HTTPBodyStream.BufferLevel(pause: { task.suspend() }, resume: { task.resume() })
        // The stream keeps this transport (and so its session) alive until the body ends: a
        // transport made just for one call would otherwise cancel the body it returned.
        body.onTermination = { [self] termination in
            withExtendedLifetime(self) {}
            if case .cancelled = termination { task.cancel() }
        }
        let router = self.router
        let firstByteLimit = request.timeouts.firstByte
        let timer = Task {
            try await Task.sleep(for: firstByteLimit)
            router.timeOut(task, after: firstByteLimit)
        }
        defer { timer.cancel() }
        let head: HTTPResponseHead
        do {
            head = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponseHead, any Error>) in
                    router.register(task, head: continuation, body: body, level: level)
                    task.resume()
                }
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw (error as? LLMError) ?? LLMError(error)
        }
        return (head, HTTPBodyStream(chunks, level: level, abandon: { task.cancel() }))
    }
}

/// The session's delegate: routes each task's callbacks to its request.
private final class TaskRouter: NSObject, URLSessionDataDelegate, Sendable {
    struct Route {
        var head: CheckedContinuation<HTTPResponseHead, any Error>?
        let body: AsyncThrowingStream<[UInt8], any Error>.Continuation
        let level: HTTPBodyStream.BufferLevel
        var timedOut: Duration?
    }

    private let routes = Mutex<[Int: Route]>([:])

    func register(
        _ task: URLSessionTask, head: CheckedContinuation<HTTPResponseHead, any Error>,
        body: AsyncThrowingStream<[UInt8], any Error>.Continuation, level: HTTPBodyStream.BufferLevel
    ) {
        routes.withLock { $0[task.taskIdentifier] = Route(head: head, body: body, level: level) }
    }

    /// Cancels a task whose response head has not arrived within `limit`.
    func timeOut(_ task: URLSessionTask, after limit: Duration) {
        let waiting = routes.withLock { routes -> Bool in
            guard routes[task.taskIdentifier]?.head != nil else { return false }
            routes[task.taskIdentifier]?.timedOut = limit
            return true
        }
        if waiting { task.cancel() }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        let head = routes.withLock { routes -> CheckedContinuation<HTTPResponseHead, any Error>? in
            defer { routes[dataTask.taskIdentifier]?.head = nil }
            return routes[dataTask.taskIdentifier]?.head
        }
        completionHandler(.allow)
        head?.resume(returning: HTTPResponseHead(status: http?.statusCode ?? 0, headers: headers))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let route = routes.withLock({ $0[dataTask.taskIdentifier] }) else { return }
        route.level.received(data.count)
        route.body.yield([UInt8](data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let route = routes.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        let failure = error.map { Self.classify($0, timedOut: route.timedOut, url: task.originalRequest?.url) }
        if let head = route.head {
            head.resume(throwing: failure ?? LLMError(kind: .transport, message: "the server closed the connection without a response"))
        }
        if let failure { route.body.finish(throwing: failure) } else { route.body.finish() }
    }

    /// Turns a URLSession failure into an ``LLMError`` that says what happened.
    static func classify(_ error: any Error, timedOut: Duration?, url: URL?) -> LLMError {
        let place = url.map { "\($0.scheme ?? "http")://\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")" } ?? "the server"
        if let timedOut {
            return LLMError(kind: .timeout, message: "no response from \(place) within \(timedOut)")
        }
        guard let urlError = error as? URLError else {
            return LLMError(kind: .transport, message: "request to \(place) failed: \(error.localizedDescription)")
        }
        switch urlError.code {
        case .cancelled:
            return .cancelled("the request to \(place) was cancelled")
        case .timedOut:
            return LLMError(kind: .timeout, message: "\(place) went silent for longer than the idle timeout")
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            return LLMError(kind: .transport, message: "cannot connect to \(place): \(urlError.localizedDescription)")
        case .networkConnectionLost:
            return LLMError(kind: .transport, message: "\(place) closed the connection part-way through the response")
        default:
            return LLMError(kind: .transport, message: "request to \(place) failed: \(urlError.localizedDescription)")
        }
    }
}
