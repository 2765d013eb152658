import Foundation
import LLMCore
import Synchronization

/// An exact-match cache of chat responses: an in-process ``ExactCache`` in front of an optional
/// shared ``CacheStore`` (Redis), so many processes answer a repeated request once between them.
///
/// Responses are keyed by ``LLMCore/ChatRequest/cacheKey(partition:cachingSampledRequests:)``.
/// The shared store is optional and fails open: when it is down, lookups miss and stores are
/// skipped (counted in ``sharedStoreErrors`` and kept in ``lastSharedStoreError``) rather than
/// failing the request — a cache outage must not become an outage of the application.
public final class ResponseCache: Sendable {
    /// The in-process level, if any.
    public let local: ExactCache<CacheKey, ChatResponse>?
    /// The shared level, if any.
    public let shared: (any CacheStore)?
    /// Put in front of every key in the shared store (namespacing this application's entries).
    public let keyPrefix: String
    /// How long entries live; `nil` until evicted.
    public let timeToLive: Duration?
    private let errors = Mutex<(count: Int, last: CacheError?)>((0, nil))

    /// Creates a cache from its levels; at least one is needed.
    ///
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` when both levels are `nil` or the time to
    ///   live is not positive.
    public init(
        local: ExactCache<CacheKey, ChatResponse>?, shared: (any CacheStore)? = nil,
        keyPrefix: String = "llm:exact:", timeToLive: Duration? = nil
    ) throws(CacheError) {
        guard local != nil || shared != nil else {
            throw .invalidConfiguration("a response cache needs a local cache, a shared store, or both")
        }
        if let timeToLive, timeToLive <= .zero {
            throw .invalidConfiguration("the time to live must be positive, not \(timeToLive)")
        }
        self.local = local
        self.shared = shared
        self.keyPrefix = keyPrefix
        self.timeToLive = timeToLive
    }

    /// Creates a cache of up to `maximumCount` responses in this process, optionally in front of
    /// a shared store.
    ///
    /// - Throws: ``CacheError/invalidConfiguration(_:)`` for a bound below 1 or a bad time to live.
    public convenience init(
        maximumCount: Int = 10_000, timeToLive: Duration? = nil, shared: (any CacheStore)? = nil,
        keyPrefix: String = "llm:exact:", clock: some Clock<Duration> = ContinuousClock()
    ) throws(CacheError) {
        try self.init(
            local: ExactCache(maximumCount: maximumCount, defaultTimeToLive: timeToLive, clock: clock), shared: shared,
            keyPrefix: keyPrefix, timeToLive: timeToLive)
    }

    /// The cached response for `key`, from the local level or else the shared one (which then
    /// fills the local level).
    public func response(forKey key: CacheKey) async -> ChatResponse? {
        if let response = local?.value(forKey: key) { return response }
        guard let shared else { return nil }
        do {
            guard let bytes = try await shared.value(forKey: keyPrefix + key.hex) else { return nil }
            let response = try JSONDecoder().decode(ChatResponse.self, from: Data(bytes))
            local?.setValue(response, forKey: key)
            return response
        } catch let error as CacheError {
            record(error)
        } catch {
            // A value that does not decode (another version wrote it, or it was damaged): drop it.
            record(.corruptData("the shared entry \(keyPrefix + key.hex) does not decode: \(error)"))
            _ = try? await shared.removeValue(forKey: keyPrefix + key.hex)
        }
        return nil
    }

    /// Stores `response` under `key` in every level.
    public func store(_ response: ChatResponse, forKey key: CacheKey) async {
        var response = response
        response.cacheHit = nil
        local?.setValue(response, forKey: key)
        guard let shared else { return }
        do {
            let bytes = try JSONEncoder().encode(response)
            try await shared.setValue(Array(bytes), forKey: keyPrefix + key.hex, timeToLive: timeToLive)
        } catch let error as CacheError {
            record(error)
        } catch {
            record(.invalidInput("the response cannot be encoded: \(error)"))
        }
    }

    /// Removes the response for `key` from every level.
    public func removeResponse(forKey key: CacheKey) async {
        local?.removeValue(forKey: key)
        guard let shared else { return }
        do { try await shared.removeValue(forKey: keyPrefix + key.hex) } catch { record(error) }
    }

    /// How many shared-store operations failed (and were treated as misses or skipped).
    public var sharedStoreErrors: Int { errors.withLock { $0.count } }

    /// The most recent shared-store failure, for logs and health checks.
    public var lastSharedStoreError: CacheError? { errors.withLock { $0.last } }

    private func record(_ error: CacheError) {
        errors.withLock { $0 = ($0.count + 1, error) }
    }
}

extension FinishReason {
    /// Whether an answer that ended this way may be cached: complete answers, tool calls and
    /// answers cut at the output limit (the same request gets the same cut); never refusals by a
    /// content filter, errors, or reasons this package does not know.
    var isCacheable: Bool {
        switch self {
        case .stop, .toolCalls, .length: true
        case .contentFilter, .error, .other: false
        }
    }
}
