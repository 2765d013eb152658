/// Anything that can say how many tokens a text costs a model.
///
/// Context budgets, chunk sizes and cost estimates are all measured with one of these.
/// The `Tokenizers` module provides an exact counter for tiktoken encodings;
/// ``ApproximateTokenCounter`` is the cheap fallback when no tokenizer is at hand.
public protocol TokenCounter: Sendable {
    /// The number of tokens `text` encodes to (0 for the empty string).
    func tokenCount(of text: String) -> Int
}
