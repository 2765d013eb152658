import Foundation

@testable import LLMCache

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `redis-server` started for one test on a free loopback port, without persistence.
final class RedisServer: @unchecked Sendable {
    /// The redis-server binary on this machine, if any.
    static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { $0 + "/redis-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether this run must exercise Redis (CI sets `LLM_TOOLKIT_REQUIRE_REDIS=1`): then a missing
    /// server fails the tests instead of skipping them.
    static let required = ProcessInfo.processInfo.environment["LLM_TOOLKIT_REQUIRE_REDIS"] == "1"

    static let skipMessage = "redis-server is not installed here; install it (apt-get install redis-server) to run the Redis tests"

    let port: Int
    private let arguments: [String]
    private var process: Process?

    init(arguments: [String] = []) async throws {
        port = try Self.freePort()
        self.arguments = arguments
        try await start()
    }

    deinit { stop() }

    func start() async throws {
        guard let binary = Self.binary else { throw RedisError.connectionFailed(Self.skipMessage) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Wait (a real server, a real wait) until it accepts connections: at most 5 s.
        for _ in 0..<500 {
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RedisError.connectionFailed("the test server on port \(port) did not start")
    }

    /// Kills the server (it keeps nothing on disk) and waits until its port stops accepting.
    /// Foundation's `waitUntilExit` can hang off the main thread on Linux, so the port is watched instead.
    func stop() {
        guard let process else { return }
        self.process = nil
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<300 where Self.accepts(port: port) { usleep(10_000) }
    }

    func configuration(password: String? = nil, database: Int = 0) -> RedisConfiguration {
        RedisConfiguration(
            port: port, password: password, database: database, connectTimeout: .seconds(1), commandTimeout: .seconds(2))
    }

    static func accepts(port: Int) -> Bool {
        (try? RedisConnection(RedisConfiguration(port: port, connectTimeout: .milliseconds(200)))) != nil
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RedisError.connectionFailed("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
