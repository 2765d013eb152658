#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking TCP connection to Redis. Not thread-safe: ``RedisClient`` lends each to one
/// caller at a time, on a thread where blocking is fine, handing it over under its pool's mutex
/// (hence the unchecked sendability).
final class RedisConnection: @unchecked Sendable {
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var decoder = RESPDecoder()
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    /// Whether the connection has been used before (a failure on it may just mean it went stale).
    var reused = false

    /// Connects, authenticates and selects the database.
    init(_ configuration: RedisConfiguration) throws(RedisError) {
        descriptor = try Self.connect(configuration)
        do throws(RedisError) {
            if let password = configuration.password {
                var auth = ["AUTH"]
                if let username = configuration.username { auth.append(username) }
                auth.append(password)
                if case .error(let message) = try run([auth.map { Array($0.utf8) }])[0] { throw RedisError.server(message) }
            }
            if configuration.database != 0 {
                if case .error(let message) = try run([["SELECT", String(configuration.database)].map { Array($0.utf8) }])[0] {
                    throw RedisError.server(message)
                }
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }

    /// Sends the commands in one write and reads one reply per command (pipelining). A timeout
    /// says which command it waited for (in a pipeline: which one, and how many were answered).
    func run(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisValue] {
        var out: [UInt8] = []
        for command in commands { RESP.encode(command, into: &out) }
        try write(out)
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        while replies.count < commands.count {
            if let reply = try decoder.decode(buffer, at: &readIndex) {
                replies.append(reply)
                continue
            }
            do {
                try fill()
            } catch .timeout(let message) {
                let name = String(decoding: commands[replies.count].first ?? [], as: UTF8.self).uppercased()
                let place = commands.count == 1 ? "" : ", command \(replies.count + 1) of a pipeline of \(commands.count)"
                throw .timeout("\(message) (waiting for \(name)\(place))")
            }
        }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.keptCapacity)
            readIndex = 0
        }
        return replies
    }

    /// The most buffer capacity an idle pooled connection keeps after a large reply.
    private static let keptCapacity = 1 << 20

    private func write(_ bytes: [UInt8]) throws(RedisError) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(Self.noSignal))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.ioError("sending", errno)
            }
            sent += result
        }
    }

    private func fill() throws(RedisError) {
        // Drop consumed bytes once they are at least half the buffer (amortised linear).
        if readIndex > 0 && readIndex * 2 >= buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        while true {
            let result = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if result > 0 {
                buffer += chunk[0..<result]
                return
            }
            if result == 0 { throw .connectionClosed("the server hung up in the middle of a reply") }
            if errno == EINTR { continue }
            throw Self.ioError("receiving", errno)
        }
    }

    private static func ioError(_ action: String, _ code: Int32) -> RedisError {
        if code == EAGAIN || code == EWOULDBLOCK { return .timeout("no reply within the command timeout") }
        return .connectionClosed("\(action) failed: \(String(cString: strerror(code)))")
    }

    // MARK: Connecting

    private static var noSignal: Int {
        #if os(Linux)
        Int(MSG_NOSIGNAL)
        #else
        0
        #endif
    }

    private static func connect(_ configuration: RedisConfiguration) throws(RedisError) -> Int32 {
        let place = "\(configuration.host):\(configuration.port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(configuration.host, String(configuration.port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connectionFailed("\(place) does not resolve: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            do throws(ConnectFailure) {
                try connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen, timeout: configuration.connectTimeout)
                try configure(fd, commandTimeout: configuration.commandTimeout)
                return fd
            } catch {
                lastError = error.description
                _ = systemClose(fd)
            }
        }
        throw .connectionFailed("\(place): \(lastError)")
    }

    /// Connects without blocking past `timeout`.
    private static func connect(
        _ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, timeout: Duration
    ) throws(ConnectFailure) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if systemConnect(fd, address, length) != 0 {
            guard errno == EINPROGRESS else { throw ConnectFailure(String(cString: strerror(errno))) }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&poller, 1, max(1, milliseconds))
            guard ready > 0 else { throw ConnectFailure(ready == 0 ? "timed out after \(timeout)" : String(cString: strerror(errno))) }
            var problem: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size)
            guard problem == 0 else { throw ConnectFailure(String(cString: strerror(problem))) }
        }
        _ = fcntl(fd, F_SETFL, flags)
    }

    private static func configure(_ fd: Int32, commandTimeout: Duration) throws(ConnectFailure) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        #if canImport(Darwin)
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        let (seconds, attoseconds) = commandTimeout.components
        var time = timeval(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
        if time.tv_sec == 0 && time.tv_usec == 0 { time.tv_usec = 1000 }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    private struct ConnectFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc) || canImport(Musl)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}

private func systemConnect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc) || canImport(Musl)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}
