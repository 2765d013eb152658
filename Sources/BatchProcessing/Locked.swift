import Synchronization

/// A value behind a lock, as a class, so the concurrent calls of ``forEachConcurrently(_:limit:shouldContinue:_:)``
/// (which capture by reference) can share counters and results.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// Wraps `value`.
    public init(_ value: Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, under the lock.
    public func withLock<Result: Sendable>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { value in try body(&value) }
    }
}
