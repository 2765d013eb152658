import Foundation
import LLMCore
import LLMProviders
import LLMTesting
import Synchronization
import Testing

/// A flag a server thread sets and a test waits for (a real network, so a bounded real wait).
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }

    func wait(upTo seconds: Double) async -> Bool {
        for _ in 0..<Int(seconds * 100) {
            if isSet { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isSet
    }
}

private func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

/// A server that streams an event every 10 ms until the client goes away (up to a minute: under
/// load the client may take a while to stop), then sets `disconnected`.
private func tickingServer(_ disconnected: Flag) throws -> TestHTTPServer {
    try TestHTTPServer { _, connection in
        connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<6_000 {
            guard connection.write(chunk("data: tick\n\n")) else {
                disconnected.set()
                return
            }
            usleep(10_000)
        }
    }
}

@Suite("URLSession transport (local HTTP server)")
struct URLSessionTransportTests {
    @Test("a request's method, headers and body arrive; status and lowercased headers come back")
    func roundTrip() async throws {
        let seen = Mutex<TestHTTPServer.Request?>(nil)
        let server = try TestHTTPServer { request, connection in
            seen.withLock { $0 = request }
            connection.write("HTTP/1.1 201 Created\r\nX-Request-Id: abc\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        }
        let transport = URLSessionTransport()
        let (head, body) = try await transport.data(for: HTTPRequest(
            method: "POST", url: server.url.appendingPathComponent("v1/chat/completions"),
            headers: ["Content-Type": "application/json"], body: Data("{\"ping\":1}".utf8)))
        #expect(head.status == 201)
        #expect(head.headers["x-request-id"] == "abc")
        #expect(String(decoding: body, as: UTF8.self) == "hello")
        let request = try #require(seen.withLock { $0 })
        #expect(request.head.hasPrefix("POST /v1/chat/completions HTTP/1.1"))
        #expect(request.head.lowercased().contains("content-type: application/json"))
        #expect(String(decoding: request.body, as: UTF8.self) == "{\"ping\":1}")
    }

    @Test("the body streams: the first chunk arrives while the server still holds the second")
    func streams() async throws {
        let firstSeen = DispatchSemaphore(value: 0)
        let heldBack = Flag()
        let server = try TestHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            connection.write(chunk("data: one\n\n"))
            // Wait for the client to have seen the first event before sending the rest.
            // (A generous limit: the whole suite runs in parallel on few cores; it only matters
            // if the client never sees the first chunk, which would fail the test.)
            if firstSeen.wait(timeout: .now() + 60) == .success { heldBack.set() }
            connection.write(chunk("data: two\n\n"))
            connection.write("0\r\n\r\n")
        }
        let (head, body) = try await URLSessionTransport().send(HTTPRequest(url: server.url))
        #expect(head.status == 200)
        var parser = ServerSentEventParser()
        var events: [String] = []
        for try await bytes in body {
            for event in try parser.feed(bytes) {
                events.append(event.data)
                if events.count == 1 { firstSeen.signal() }
            }
        }
        #expect(events == ["one", "two"])
        #expect(heldBack.isSet, "the second chunk was sent only after the client had the first")
    }

    @Test("stopping early closes the connection: the server sees it")
    func cancellationReachesServer() async throws {
        let disconnected = Flag()
        let server = try tickingServer(disconnected)
        let (_, body) = try await URLSessionTransport().send(HTTPRequest(url: server.url))
        for try await _ in body { break }
        #expect(await disconnected.wait(upTo: 60))
    }

    // Wall-clock limits are loose everywhere here: the whole suite runs in parallel on few cores,
    // and long synchronous tests elsewhere can hold every cooperative thread for many seconds.
    @Test("nothing listening is a transport error, not a hang", .timeLimit(.minutes(1)))
    func refused() async throws {
        let refused = try RefusedPort()
        defer { withExtendedLifetime(refused) {} }
        let url = URL(string: "http://127.0.0.1:\(refused.port)")!
        do {
            _ = try await URLSessionTransport().send(HTTPRequest(url: url))
            Issue.record("expected a transport error")
        } catch {
            #expect(error.kind == .transport)
        }
    }

    @Test("a server that never answers hits the first-byte timeout")
    func firstByteTimeout() async throws {
        let released = Flag()
        let server = try TestHTTPServer { _, connection in
            // Holds the response until the test ends (at most a minute), however late the timer fires.
            for _ in 0..<600 where !released.isSet { usleep(100_000) }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        }
        defer { released.set() }
        do {
            _ = try await URLSessionTransport().send(HTTPRequest(
                url: server.url, timeouts: HTTPTimeouts(firstByte: .milliseconds(300), idle: .seconds(10))))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timeout)
        }
    }

    @Test("a server that hangs up mid-body is an error, not a short answer")
    func hangUpMidBody() async throws {
        let server = try TestHTTPServer { _, connection in
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        }
        await #expect(throws: LLMError.self) {
            _ = try await URLSessionTransport().data(for: HTTPRequest(url: server.url))
        }
    }
}

@Suite("Body buffering")
struct BodyBufferingTests {
    @Test("the transport is paused above the high-water mark and resumed once the consumer drains to a quarter")
    func backpressure() async throws {
        let calls = Mutex<[String]>([])
        let level = HTTPBodyStream.BufferLevel(
            highWater: 100, pause: { calls.withLock { $0.append("pause") } }, resume: { calls.withLock { $0.append("resume") } })
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        for _ in 0..<4 {
            level.received(40)
            continuation.yield([UInt8](repeating: 0, count: 40))
        }
        continuation.finish()
        #expect(level.isPaused)
        #expect(calls.withLock { $0 } == ["pause"])  // Once, at 120 bytes waiting.
        var iterator = HTTPBodyStream(chunks, level: level).makeAsyncIterator()
        _ = try await iterator.next()  // 120 waiting
        _ = try await iterator.next()  // 80
        #expect(calls.withLock { $0 } == ["pause"])
        _ = try await iterator.next()  // 40
        _ = try await iterator.next()  // 0: below 25
        #expect(calls.withLock { $0 } == ["pause", "resume"])
        #expect(!level.isPaused)
    }
}

@Suite("URLSession transport cancellation")
struct TransportCancellationTests {
    @Test("cancelling the consuming task ends the body with a cancellation error and closes the connection")
    func consumerCancelled() async throws {
        let disconnected = Flag()
        let firstChunk = Flag()
        let server = try tickingServer(disconnected)
        let transport = URLSessionTransport()
        let consumer = Task { () -> LLMError? in
            do throws(LLMError) {
                let (_, body) = try await transport.send(HTTPRequest(url: server.url))
                for try await _ in body { firstChunk.set() }
                return nil
            } catch {
                return error
            }
        }
        #expect(await firstChunk.wait(upTo: 60))
        consumer.cancel()
        let error = await consumer.value
        #expect(error?.kind == .cancelled)
        #expect(await disconnected.wait(upTo: 60))
    }
}
