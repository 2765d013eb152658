import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` started for one test on a free loopback port, with no persistence, and
/// killed when the value is released (or on ``stop()``).
///
/// ```swift
/// @Suite(.enabled(if: RedisTestServer.binary != nil || RedisTestServer.required, Comment(rawValue: RedisTestServer.skipMessage)))
/// struct MyRedisTests {
///     @Test func works() async throws {
///         let server = try await RedisTestServer()
///         // connect to 127.0.0.1:server.port
///     }
/// }
/// ```
public final class RedisTestServer: @unchecked Sendable {
    /// Why a server could not be started.
    public struct StartError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
        /// Whether another server took the port (worth trying another one).
        var portTaken = false
    }

    /// The redis-server binary on this machine, if any (searched on `PATH` and the usual places).
    public static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { $0 + "/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether this run must exercise Redis (CI sets `LLM_TOOLKIT_REQUIRE_REDIS=1`): then a missing
    /// server fails the tests instead of skipping them.
    public static let required = ProcessInfo.processInfo.environment["LLM_TOOLKIT_REQUIRE_REDIS"] == "1"

    /// The message a skipped Redis test shows.
    public static let skipMessage = "redis-server is not installed here; install it (apt-get install redis-server) to run the Redis tests"

    /// The loopback port the server listens on.
    public private(set) var port: Int
    private let arguments: [String]
    private var process: Process?

    /// Starts a server with extra command-line `arguments` (for example `["--requirepass", "x"]`)
    /// and waits until it accepts connections.
    /// Tests run in parallel, so the free port may be taken by another server before this one binds
    /// it; then another port is tried (up to five).
    public init(arguments: [String] = []) async throws {
        self.arguments = arguments
        var attempts = 0
        while true {
            port = try Self.freePort()
            do {
                try await start()
                return
            } catch let error as StartError where error.portTaken && attempts < 4 {
                attempts += 1
            }
        }
    }

    deinit { stop() }

    /// The `--requirepass` argument, if any.
    private var password: String? {
        arguments.firstIndex(of: "--requirepass").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }

    /// Starts the server (again, after ``stop()``) on the same port.
    public func start() async throws {
        guard let binary = Self.binary else { throw StartError(description: Self.skipMessage) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Wait (a real server, a real wait) until it answers: 500 tries 10 ms apart. Something
        // else may answer on the port (it was free when picked, not reserved): only a server that
        // reports this process's id is ours.
        for _ in 0..<500 {
            if let answering = Self.serverProcessID(port: port, password: password) {
                if answering == process.processIdentifier { return }
                kill(process.processIdentifier, SIGKILL)  // Not `stop()`: the port is the other server's.
                self.process = nil
                throw StartError(description: "port \(port) was taken by another server before redis-server could bind it", portTaken: true)
            }
            if !process.isRunning {
                self.process = nil
                throw StartError(description: "redis-server exited at start: port \(port) taken, or arguments \(arguments) refused", portTaken: true)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw StartError(description: "the test server on port \(port) did not start")
    }

    /// The process id the Redis server on the loopback `port` reports (`INFO server`), or `nil`
    /// when nothing answers there like Redis.
    static func serverProcessID(port: Int, password: String?) -> Int32? {
        let fd = Self.tcpSocket()
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        let request = Array(((password.map { "AUTH \($0)\r\n" } ?? "") + "INFO server\r\n").utf8)
        guard connected, request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while reply.count < 1 << 16 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += chunk[0..<count]
            let text = String(decoding: reply, as: UTF8.self)
            if text.hasPrefix("-") || text.contains("\r\n-") { return nil }  // An error reply: not a server this test started.
            if let range = text.range(of: "process_id:"), let end = text[range.upperBound...].firstIndex(where: \.isNewline) {
                return Int32(text[range.upperBound..<end])
            }
        }
        return nil
    }

    /// Kills the server (it keeps nothing on disk) and waits until its port stops accepting.
    /// Foundation's `waitUntilExit` can hang off the main thread on Linux, so the port is watched instead.
    public func stop() {
        guard let process else { return }
        self.process = nil
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<300 where Self.accepts(port: port) { usleep(10_000) }
    }

    /// Whether something accepts TCP connections on the loopback `port`.
    public static func accepts(port: Int) -> Bool {
        let fd = Self.tcpSocket()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = Self.loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    public static func freePort() throws -> Int {
        try RefusedPort().port  // Released at once: free now, but not reserved.
    }

    fileprivate static func tcpSocket() -> Int32 {
        #if os(Linux)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    fileprivate static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

/// A loopback port held bound but not listening: connections to it are refused, and no server can
/// take it while this value lives — a "server that is down" no parallel test can bring up.
public final class RefusedPort: Sendable {
    /// The port.
    public let port: Int
    private let descriptor: Int32

    /// Binds a free loopback port without listening on it.
    public init() throws {
        let fd = RedisTestServer.tcpSocket()
        var address = RedisTestServer.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = fd >= 0 && withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            if fd >= 0 { close(fd) }
            throw RedisTestServer.StartError(description: "no free loopback port")
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
