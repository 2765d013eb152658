import LLMCore

/// What went wrong in a cache, with a message that says what to do about it.
public enum CacheError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A capacity, time to live, threshold or other setting is out of range.
    case invalidConfiguration(String)
    /// An argument cannot be used: an embedding of the wrong length or with NaN, empty text.
    case invalidInput(String)
    /// A saved cache file or a stored entry is truncated, corrupt or of an unknown version.
    case corruptData(String)
    /// Reading or writing a file failed.
    case fileSystem(String)
    /// The shared store (Redis) could not be reached or answered with an error.
    case storeUnavailable(String)
    /// The embedding model failed; the underlying error says whether retrying can help.
    case embeddingFailed(LLMError)

    /// The message, prefixed by what kind of problem it is.
    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid cache configuration: \(message)"
        case .invalidInput(let message): "invalid cache input: \(message)"
        case .corruptData(let message): "corrupt cache data: \(message)"
        case .fileSystem(let message): "cache file error: \(message)"
        case .storeUnavailable(let message): "cache store unavailable: \(message)"
        case .embeddingFailed(let error): "embedding for the semantic cache failed: \(error)"
        }
    }
}
