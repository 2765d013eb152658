/// Why a tokenizer could not load, encode or decode.
public enum TokenizerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rank file could not be read.
    case unreadableFile(path: String, reason: String)
    /// A line of the rank file is not `base64-token rank`.
    case malformedRankFile(line: Int, reason: String)
    /// The text contains a special token (such as `<|endoftext|>`) that the call did not allow.
    case disallowedSpecialToken(String)
    /// A special token named in the allowed set is not one of this encoding's.
    case unknownSpecialToken(String)
    /// A token id that this encoding does not have.
    case unknownToken(Int)
    /// The bytes are not valid UTF-8 (input to `encode(utf8:)`, or the output of `decode` when the
    /// tokens cut a character in two; use `decodeBytes` for the raw bytes).
    case invalidUTF8(byteOffset: Int)

    /// A sentence saying what went wrong and what to do.
    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "cannot read the rank file \(path): \(reason)"
        case .malformedRankFile(let line, let reason):
            "line \(line) of the rank file is not 'base64-token rank': \(reason); is this a tiktoken .tiktoken file?"
        case .disallowedSpecialToken(let token):
            "the text contains the special token \(token); pass it in allowedSpecial to encode it as one token, "
                + "or use .encodeAsText to treat it as ordinary text"
        case .unknownSpecialToken(let token):
            "\(token) is not a special token of this encoding"
        case .unknownToken(let id):
            "token id \(id) is not in this encoding"
        case .invalidUTF8(let offset):
            "the bytes are not valid UTF-8 at byte \(offset); decodeBytes returns them unchanged"
        }
    }
}
