import Foundation
import LLMCore
import LLMTesting
import Testing

@testable import LLMCache

@Suite("Redis (real redis-server)", .enabled(if: RedisServer.binary != nil || RedisServer.required, Comment(rawValue: RedisServer.skipMessage)))
struct RedisTests {
    @Test("commands, binary-safe values and pipelining")
    func basics() async throws {
        let server = try await RedisServer()
        let client = RedisClient(server.configuration())
        #expect(try await client.send("PING").string == "PONG")
        let binary: [UInt8] = [0, 13, 10, 255, 36, 42]
        try await client.send([Array("SET".utf8), Array("bin".utf8), binary])
        #expect(try await client.send("GET", "bin").bytes == binary)
        let replies = try await client.pipeline((0..<100).map { ["SET", "k\($0)", "v\($0)"].map { Array($0.utf8) } })
        #expect(replies.count == 100 && replies.allSatisfy { $0 == .simpleString("OK") })
        #expect(try await client.send("DBSIZE").integer == 101)
        await #expect(throws: RedisError.self) { try await client.send("NOSUCHCOMMAND") }
    }

    @Test("large replies come back whole: a 5 MB value and a 200,000-element list")
    func largeReplies() async throws {
        let server = try await RedisServer()
        let client = RedisClient(server.configuration())
        let value = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await client.send([Array("SET".utf8), Array("big".utf8), value])
        #expect(try await client.send("GET", "big").bytes == value)
        for start in stride(from: 0, to: 200_000, by: 10_000) {
            try await client.send((["RPUSH", "list"] + (start..<start + 10_000).map(String.init)).map { Array($0.utf8) })
        }
        guard case .array(let items) = try await client.send("LRANGE", "list", "0", "-1") else {
            Issue.record("LRANGE did not answer an array")
            return
        }
        #expect(items.count == 200_000 && items.first?.string == "0" && items.last?.string == "199999")
    }

    @Test("two clients share one exact response cache")
    func sharedExactCache() async throws {
        let server = try await RedisServer()
        let firstBase = ScriptedChatModel([.text("Paris")])
        let secondBase = ScriptedChatModel([])
        let first = firstBase.cached(exact: try ResponseCache(
            maximumCount: 10, shared: RedisCacheStore(client: RedisClient(server.configuration()))))
        let second = secondBase.cached(exact: try ResponseCache(
            maximumCount: 10, shared: RedisCacheStore(client: RedisClient(server.configuration()))))
        let request = ChatRequest(model: "m", messages: [.user("capital of France?")], temperature: 0)
        _ = try await first.respond(to: request)
        let answer = try await second.respond(to: request)
        #expect(answer.text == "Paris" && answer.cacheHit?.kind == .exact)
        #expect(secondBase.requests.isEmpty)
    }

    @Test("entries get a Redis expiry and are gone after it")
    func expiry() async throws {
        let server = try await RedisServer()
        let client = RedisClient(server.configuration())
        let store = RedisCacheStore(client: client)
        // The remaining time can only have shrunk by what really elapsed (a loaded machine may take
        // seconds between the two commands), and Redis rounds to whole milliseconds.
        let started = ContinuousClock.now
        try await store.setValue(Array("v".utf8), forKey: "long", timeToLive: .seconds(60))
        let remaining = try #require(try await client.send("PTTL", "long").integer)
        let elapsed = ContinuousClock.now - started
        let elapsedMilliseconds = elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        #expect(remaining >= 60_000 - elapsedMilliseconds - 1 && remaining <= 60_000, "\(remaining) ms left after \(elapsed)")
        try await store.setValue(Array("v".utf8), forKey: "short", timeToLive: .milliseconds(30))
        try await store.setValue(Array("v".utf8), forKey: "forever", timeToLive: nil)
        #expect(try await client.send("PTTL", "forever").integer == -1)
        // Redis's clock cannot be injected: poll the real server until the key expires (≤ 3 s).
        var expired = false
        for _ in 0..<300 where !expired {
            expired = try await store.value(forKey: "short") == nil
            if !expired { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(expired)
        #expect(try await store.value(forKey: "long") != nil)
    }

    @Test("the client reconnects after the server restarts")
    func reconnect() async throws {
        let server = try await RedisServer()
        let client = RedisClient(server.configuration())
        try await client.send("SET", "a", "1")
        server.stop()
        await #expect(throws: RedisError.self) { try await client.send("GET", "a") }
        try await server.start()
        try await client.send("SET", "a", "2")
        #expect(try await client.send("GET", "a").string == "2")
    }

    // The time limit proves "not a hang"; it is loose because the whole suite runs in parallel on
    // few cores, where long synchronous tests elsewhere can hold every cooperative thread.
    @Test("a server that is down gives a typed error, not a hang", .timeLimit(.minutes(1)))
    func serverDown() async throws {
        let refused = try RefusedPort()
        defer { withExtendedLifetime(refused) {} }
        let port = refused.port
        let store = RedisCacheStore(client: RedisClient(RedisConfiguration(port: port, connectTimeout: .seconds(1))))
        do {
            _ = try await store.value(forKey: "x")
            Issue.record("expected an error")
        } catch {
            guard case .storeUnavailable(let message) = error else { throw error }
            #expect(message.contains("cannot connect"))
        }
        // A response cache on a dead store fails open: the model answers.
        let model = ScriptedChatModel([.text("fresh")]).cached(exact: try ResponseCache(
            local: nil, shared: RedisCacheStore(client: RedisClient(RedisConfiguration(port: port)))))
        #expect(try await model.respond(to: ChatRequest(messages: [.user("q")], temperature: 0)).text == "fresh")
    }

    @Test("AUTH and SELECT: a wrong password is a server error; databases are separate")
    func authAndSelect() async throws {
        let server = try await RedisServer(arguments: ["--requirepass", "s3cret"])
        await #expect(throws: RedisError.self) { try await RedisClient(server.configuration()).send("GET", "k") }
        await #expect(throws: RedisError.self) {
            try await RedisClient(server.configuration(password: "wrong")).send("PING")
        }
        let zero = RedisClient(server.configuration(password: "s3cret"))
        let one = RedisClient(server.configuration(password: "s3cret", database: 1))
        try await zero.send("SET", "k", "zero")
        #expect(try await one.send("GET", "k") == .null)
    }

    @Test("many concurrent callers share a bounded pool")
    func pool() async throws {
        let server = try await RedisServer()
        var configuration = server.configuration()
        configuration.maximumConnections = 2
        let client = RedisClient(configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask { try await client.send("SET", "key\(index)", "\(index)") }
            }
            try await group.waitForAll()
        }
        #expect(try await client.send("DBSIZE").integer == 50)
        let clients = try await client.send("CLIENT", "LIST").string ?? ""
        #expect(clients.split(separator: "\n").count <= 2)
    }

    @Test("a semantic cache rebuilds its index from Redis and sees invalidations by other processes")
    func semanticOnRedis() async throws {
        let server = try await RedisServer()
        let first = try SemanticCache<String>(
            embedder: embedder, store: RedisCacheStore(client: RedisClient(server.configuration())))
        try await first.insert("reset answer", for: "reset password", tags: ["doc-7"], timeToLive: .seconds(600))
        let second = try SemanticCache<String>(
            embedder: embedder, store: RedisCacheStore(client: RedisClient(server.configuration())))
        #expect(try await second.restoreFromStore() == 1)
        #expect(try await second.lookup("how do I reset my password")?.value == "reset answer")
        #expect(try await first.invalidate(tag: "doc-7") == 1)
        #expect(try await second.lookup("how do I reset my password") == nil)
    }
}
