import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on a free loopback port for transport tests: each connection is handed
/// to `handler` on its own thread, with the request head and body, and a writer for raw bytes.
final class TestHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var head: String
        var body: [UInt8]
    }

    final class Connection: @unchecked Sendable {
        fileprivate let descriptor: Int32
        init(_ descriptor: Int32) { self.descriptor = descriptor }

        /// Writes bytes; false once the client has gone away.
        @discardableResult
        func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        @discardableResult
        func write(_ bytes: [UInt8]) -> Bool {
            var sent = 0
            while sent < bytes.count {
                #if os(Linux)
                let flags = Int32(MSG_NOSIGNAL)
                #else
                let flags: Int32 = 0
                #endif
                let result = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, $0.count - sent, flags) }
                if result <= 0 { return false }
                sent += result
            }
            return true
        }
    }

    let port: Int
    private let listener: Int32
    /// Set by `stop()`; a box so the accept thread can read it without keeping the server alive.
    private final class Flag: Sendable { let isSet = Atomic<Bool>(false) }
    private let stopped = Flag()

    init(handler: @escaping @Sendable (Request, Connection) -> Void) throws {
        let (descriptor, port) = try bindLoopback(listening: true)
        listener = descriptor
        self.port = port
        let stopped = self.stopped
        Thread.detachNewThread {
            // Only this thread closes the listener, after `stop()` has shut it down: closing it
            // from another thread could let the number be reused while `accept` still uses it.
            defer { close(descriptor) }
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }  // The listener was shut down (Linux).
                if stopped.isSet.load(ordering: .relaxed) {  // The wake-up connection of `stop()` (Darwin).
                    close(client)
                    return
                }
                Thread.detachNewThread {
                    defer { close(client) }
                    guard let request = Self.readRequest(client) else { return }
                    handler(request, Connection(client))
                }
            }
        }
    }

    deinit { stop() }

    /// Stops accepting connections (at most once; the accept thread then closes the listener).
    /// Linux wakes a blocked `accept` on `shutdown`; Darwin does not, so a connection wakes it.
    func stop() {
        guard !stopped.isSet.exchange(true, ordering: .relaxed) else { return }
        #if canImport(Darwin)
        if let waker = try? bindLoopback(listening: false).descriptor {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(waker, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(waker)
        }
        #else
        shutdown(listener, Int32(SHUT_RDWR))
        #endif
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private static func readRequest(_ descriptor: Int32) -> Request? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = headEnd(bytes) {
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while bytes.count < end + 4 + length {
                    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { return nil }
                    bytes += buffer[0..<count]
                }
                return Request(head: head, body: Array(bytes[(end + 4)..<(end + 4 + length)]))
            }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            bytes += buffer[0..<count]
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// A TCP socket bound to a free loopback port (the kernel's pick), listening if asked.
func bindLoopback(listening: Bool) throws -> (descriptor: Int32, port: Int) {
    #if os(Linux)
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    var one: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && (!listening || listen(descriptor, 16) == 0)
                && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard bound else {
        close(descriptor)
        throw URLError(.cannotConnectToHost)
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
}
