import Dispatch
import Synchronization

/// A small Redis client over POSIX sockets: a bounded pool of connections, pipelining, `AUTH`
/// and `SELECT` on connect, connect and reply timeouts, and reconnection after the server restarts.
///
/// Blocking socket calls run on Dispatch threads of their own, never on Swift's cooperative threads.
/// A command that fails on a pooled connection because the connection went stale (the server
/// restarted or dropped idle clients) is retried once on a new connection; every other failure is
/// thrown as a ``RedisError`` — promptly, within the configured timeouts, when the server is down.
///
/// ```swift
/// let redis = RedisClient(RedisConfiguration(port: 6379))
/// try await redis.send("SET", "greeting", "hello")
/// let value = try await redis.send("GET", "greeting").string   // "hello"
/// ```
public final class RedisClient: Sendable {
    private struct Pool {
        /// Open connections nobody is using.
        var idle: [RedisConnection] = []
        /// Callers holding a slot (a connection, or the right to open one).
        var busy = 0
        /// Callers waiting for a slot, in arrival order.
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Where the server is and how to talk to it.
    public let configuration: RedisConfiguration
    private let pool = Mutex(Pool())

    /// A client for the server in `configuration`; connections are opened when first needed.
    public init(_ configuration: RedisConfiguration = RedisConfiguration()) {
        self.configuration = configuration
    }

    /// Sends one command and returns its reply (an error reply is thrown as ``RedisError/server(_:)``).
    ///
    /// - Throws: ``RedisError``.
    @discardableResult
    public func send(_ arguments: String...) async throws(RedisError) -> RedisValue {
        try await send(arguments.map { Array($0.utf8) })
    }

    /// Sends one command with binary-safe arguments and returns its reply.
    ///
    /// - Throws: ``RedisError``; an error reply as ``RedisError/server(_:)``.
    @discardableResult
    public func send(_ arguments: [[UInt8]]) async throws(RedisError) -> RedisValue {
        let reply = try await pipeline([arguments])[0]
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Sends several commands in one round trip and returns their replies in order; error replies
    /// are returned as ``RedisValue/error(_:)`` values, not thrown.
    ///
    /// - Throws: ``RedisError`` when the connection fails.
    public func pipeline(_ commands: [[[UInt8]]]) async throws(RedisError) -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        await acquireSlot()
        let outcome: Result<[RedisValue], RedisError> = await withCheckedContinuation { continuation in
            // A fresh serial queue gets its own thread even when Dispatch's shared pool is busy
            // with CPU work (the global queues would make this call wait behind it, as the test
            // suite showed: seconds for a refused connection).
            DispatchQueue(label: "LLMCache.RedisClient").async {
                continuation.resume(returning: self.runBlocking(commands))
            }
        }
        return try outcome.get()
    }

    /// Closes the idle connections (busy ones are kept until they are returned).
    public func close() {
        for connection in pool.withLock({ pool in defer { pool.idle = [] }; return pool.idle }) { connection.close() }
    }

    // MARK: Pool

    /// Waits until fewer than the maximum number of callers hold a connection, then takes a slot.
    /// At most that many connections are ever open: new ones are opened only when none is idle.
    private func acquireSlot() async {
        let maximum = max(1, configuration.maximumConnections)
        let admitted = pool.withLock { pool -> Bool in
            guard pool.busy < maximum else { return false }
            pool.busy += 1
            return true
        }
        if admitted { return }
        await withCheckedContinuation { continuation in
            let admittedNow = pool.withLock { pool -> Bool in
                guard pool.busy >= maximum else {
                    pool.busy += 1
                    return true
                }
                pool.waiters.append(continuation)
                return false
            }
            if admittedNow { continuation.resume() }
        }
    }

    /// Runs the commands on a borrowed (or new) connection; called on a Dispatch thread.
    private func runBlocking(_ commands: [[[UInt8]]]) -> Result<[RedisValue], RedisError> {
        var connection = pool.withLock { $0.idle.popLast() }
        defer { finish(connection) }
        do throws(RedisError) {
            if connection == nil { connection = try RedisConnection(configuration) }
            do throws(RedisError) {
                return .success(try connection!.run(commands))
            } catch {
                // A stale pooled connection: the server restarted or dropped us while it was idle.
                guard connection!.reused, case .connectionClosed = error else { throw error }
                connection!.close()
                connection = try RedisConnection(configuration)
                return .success(try connection!.run(commands))
            }
        } catch {
            connection?.close()
            connection = nil
            return .failure(error)
        }
    }

    /// Returns a connection to the pool (or drops a failed one) and hands the slot to a waiter.
    private func finish(_ connection: RedisConnection?) {
        let waiter = pool.withLock { pool -> CheckedContinuation<Void, Never>? in
            if let connection {
                connection.reused = true
                pool.idle.append(connection)
            }
            guard !pool.waiters.isEmpty else {
                pool.busy -= 1
                return nil
            }
            return pool.waiters.removeFirst()  // The slot passes to the waiter.
        }
        waiter?.resume()
    }
}
