/// Where a Redis server is and how to talk to it.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// The ACL user name (Redis 6+), or `nil` for the default user.
    public var username: String?
    /// The password for `AUTH`, or `nil` when the server needs none.
    public var password: String?
    /// The database number `SELECT`ed on every connection.
    public var database: Int
    /// How long to wait for a connection.
    public var connectTimeout: Duration
    /// How long to wait for each reply.
    public var commandTimeout: Duration
    /// The most connections open at once; callers beyond it wait for one to be free.
    public var maximumConnections: Int

    /// Creates settings; the defaults suit a server on this machine.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0,
        connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(2), maximumConnections: Int = 8
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.maximumConnections = maximumConnections
    }
}
