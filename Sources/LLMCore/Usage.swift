/// Token counts for one response (or a sum of many).
///
/// Providers count differently; adapters normalise to this meaning:
/// ``inputTokens`` includes the cached ones, and ``outputTokens`` includes
/// the reasoning ones.
public struct Usage: Sendable, Hashable, Codable {
    /// All prompt tokens, cached ones included.
    public var inputTokens: Int
    /// The part of ``inputTokens`` served from the provider's prompt cache (billed at the cached-input price).
    public var cachedInputTokens: Int
    /// All generated tokens, reasoning ones included.
    public var outputTokens: Int
    /// The part of ``outputTokens`` spent on hidden reasoning.
    public var reasoningTokens: Int

    /// Creates token counts.
    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
    }

    /// No tokens.
    public static let zero = Usage()

    /// Input plus output tokens.
    public var totalTokens: Int { inputTokens + outputTokens }

    /// The field-by-field sum, for totals over many responses.
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens,
            reasoningTokens: lhs.reasoningTokens + rhs.reasoningTokens)
    }

    /// Adds `rhs` to `lhs` field by field.
    public static func += (lhs: inout Usage, rhs: Usage) { lhs = lhs + rhs }

    /// The field-by-field maximum: how running totals reported by a stream are merged.
    public func merging(runningTotals other: Usage) -> Usage {
        Usage(
            inputTokens: max(inputTokens, other.inputTokens),
            outputTokens: max(outputTokens, other.outputTokens),
            cachedInputTokens: max(cachedInputTokens, other.cachedInputTokens),
            reasoningTokens: max(reasoningTokens, other.reasoningTokens))
    }
}
