/// What `encode` does with text that spells a special token such as `<|endoftext|>`.
///
/// The default, ``rejectAll``, is tiktoken's: user text that happens to contain a special token
/// is refused rather than silently given control-token meaning.
public enum SpecialTokenPolicy: Sendable, Hashable {
    /// Throw ``TokenizerError/disallowedSpecialToken(_:)`` if any special token appears (tiktoken's default).
    case rejectAll
    /// Encode special-token spellings as ordinary text (tiktoken's `encode_ordinary`).
    case encodeAsText
    /// Encode these special tokens as their ids; throw if any other special token appears.
    case allow(Set<String>)
    /// Encode every special token as its id.
    case allowAll
}
