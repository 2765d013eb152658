/// One event of a `text/event-stream`, as the WHATWG HTML standard defines it.
public struct ServerSentEvent: Sendable, Hashable {
    /// The event type: the last `event:` field, or `"message"` when there was none.
    public var type: String
    /// The `data:` lines joined with line feeds.
    public var data: String
    /// The last event id the stream set (it carries over to later events), or `""` when none.
    public var lastEventID: String
    /// The reconnection time the stream asked for in this event, in milliseconds, if it did.
    public var retry: Int?

    /// Creates an event.
    public init(type: String = "message", data: String, lastEventID: String = "", retry: Int? = nil) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
        self.retry = retry
    }
}
