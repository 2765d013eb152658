import LLMCore

/// How big a chunk may be, and in what unit: characters (grapheme clusters) or tokens.
public struct ChunkSize: Sendable {
    /// The unit sizes are measured in.
    public enum Unit: Sendable {
        /// `Character`s, as `String.count` counts them.
        case characters
        /// Tokens, as the counter counts the chunk's text (exactly, when it is a `BPETokenizer`).
        case tokens(any TokenCounter)
    }

    /// The most units one chunk may have.
    public var limit: Int
    /// The most units two consecutive chunks may share.
    public var overlap: Int
    /// The unit.
    public var unit: Unit

    /// A size in characters.
    public static func characters(_ limit: Int, overlap: Int = 0) -> ChunkSize {
        ChunkSize(limit: limit, overlap: overlap, unit: .characters)
    }

    /// A size in tokens of `counter`.
    public static func tokens(_ limit: Int, overlap: Int = 0, counter: any TokenCounter) -> ChunkSize {
        ChunkSize(limit: limit, overlap: overlap, unit: .tokens(counter))
    }

    func validate() throws(ChunkingError) {
        guard limit > 0 else { throw .invalidSize("the chunk size must be positive, got \(limit)") }
        guard overlap >= 0, overlap < limit else {
            throw .invalidSize("the overlap must be at least 0 and less than the size (\(limit)), got \(overlap)")
        }
    }
}

/// Why a chunker refused its settings.
public enum ChunkingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The size or overlap is out of range.
    case invalidSize(String)

    /// A sentence saying what went wrong.
    public var description: String {
        switch self {
        case .invalidSize(let message): message
        }
    }
}
