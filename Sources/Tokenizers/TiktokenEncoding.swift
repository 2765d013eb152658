/// The tiktoken encodings this package reproduces, with their split patterns and special tokens.
public enum TiktokenEncoding: String, Sendable, Hashable, CaseIterable {
    /// GPT-4, GPT-3.5-turbo and `text-embedding-3-*` (`cl100k_base.tiktoken`).
    case cl100kBase = "cl100k_base"
    /// GPT-4o, GPT-4.1, o-series (`o200k_base.tiktoken`).
    case o200kBase = "o200k_base"

    /// The special tokens and their ids.
    public var specialTokens: [String: Int] {
        switch self {
        case .cl100kBase:
            ["<|endoftext|>": 100_257, "<|fim_prefix|>": 100_258, "<|fim_middle|>": 100_259, "<|fim_suffix|>": 100_260,
             "<|endofprompt|>": 100_276]
        case .o200kBase:
            ["<|endoftext|>": 199_999, "<|endofprompt|>": 200_018]
        }
    }

    var pattern: PreTokenizer.Pattern {
        switch self {
        case .cl100kBase: .cl100k
        case .o200kBase: .o200k
        }
    }
}
