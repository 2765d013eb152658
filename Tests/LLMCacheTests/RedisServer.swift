import LLMTesting

@testable import LLMCache

/// The shared test server, with the client settings these tests use.
typealias RedisServer = RedisTestServer

extension RedisTestServer {
    func configuration(password: String? = nil, database: Int = 0) -> RedisConfiguration {
        RedisConfiguration(
            port: port, password: password, database: database, connectTimeout: .seconds(1), commandTimeout: .seconds(2))
    }
}
