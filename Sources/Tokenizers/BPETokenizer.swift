#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LLMCore

/// A byte-pair-encoding tokenizer that gives the same token ids as OpenAI's tiktoken for
/// `cl100k_base` and `o200k_base`.
///
/// ```swift
/// let tokenizer = try BPETokenizer(encoding: .cl100kBase, ranksFile: URL(fileURLWithPath: "cl100k_base.tiktoken"))
/// let ids = try tokenizer.encode("Hello, world!")      // [9906, 11, 1917, 0]
/// let text = try tokenizer.decode(ids)
/// let budgetUsed = tokenizer.tokenCount(of: prompt)
/// ```
///
/// Rank files are not bundled or downloaded: pass the `.tiktoken` file you have. The tokenizer
/// is immutable and `Sendable`; share one instance.
public struct BPETokenizer: TokenCounter, Sendable {
    /// The encoding this tokenizer reproduces.
    public let encoding: TiktokenEncoding
    private let ranks: RankTable
    private let preTokenizer: PreTokenizer
    private let specialTokens: [String: Int]
    private let specialTokenBytes: [Int: [UInt8]]

    /// Loads a tiktoken rank file (`base64-token rank` per line).
    ///
    /// - Throws: ``TokenizerError/unreadableFile(path:reason:)`` or ``TokenizerError/malformedRankFile(line:reason:)``.
    public init(encoding: TiktokenEncoding, ranksFile: URL) throws(TokenizerError) {
        let data: Data
        do { data = try Data(contentsOf: ranksFile) } catch {
            throw .unreadableFile(path: ranksFile.path, reason: "\(error)")
        }
        try self.init(encoding: encoding, ranks: [UInt8](data))
    }

    /// Builds a tokenizer from the contents of a rank file.
    ///
    /// - Throws: ``TokenizerError/malformedRankFile(line:reason:)``.
    public init(encoding: TiktokenEncoding, ranks contents: [UInt8]) throws(TokenizerError) {
        self.encoding = encoding
        ranks = RankTable(tokens: try RankFileParser.parse(contents))
        preTokenizer = PreTokenizer(pattern: encoding.pattern)
        specialTokens = encoding.specialTokens
        specialTokenBytes = Dictionary(uniqueKeysWithValues: specialTokens.map { ($0.value, Array($0.key.utf8)) })
    }

    /// The number of token ids (ordinary and special).
    public var vocabularySize: Int { max(ranks.count, (specialTokens.values.max() ?? -1) + 1) }

    // MARK: - Encoding

    /// The token ids of `text`.
    ///
    /// - Parameter specialTokens: What to do with text spelling a special token; by default, as
    ///   tiktoken, it is refused.
    /// - Throws: ``TokenizerError/disallowedSpecialToken(_:)``, or ``TokenizerError/unknownSpecialToken(_:)``
    ///   when the allowed set names a token this encoding lacks.
    public func encode(_ text: String, specialTokens policy: SpecialTokenPolicy = .rejectAll) throws(TokenizerError) -> [Int] {
        var utf8 = text
        let result = utf8.withUTF8 { bytes in Result { () throws(TokenizerError) in try encode(bytes, policy: policy) } }
        return try result.get()
    }

    /// The token ids of UTF-8 bytes, validated first.
    ///
    /// - Throws: ``TokenizerError/invalidUTF8(byteOffset:)``, or as ``encode(_:specialTokens:)``.
    public func encode(utf8 bytes: [UInt8], specialTokens policy: SpecialTokenPolicy = .rejectAll) throws(TokenizerError) -> [Int] {
        if let offset = UTF8Validation.firstInvalidOffset(bytes) { throw .invalidUTF8(byteOffset: offset) }
        let result = bytes.withUnsafeBufferPointer { bytes in
            Result { () throws(TokenizerError) in try encode(bytes, policy: policy) }
        }
        return try result.get()
    }

    /// The token ids of `text` with special-token spellings treated as plain text (tiktoken's `encode_ordinary`).
    public func encodeOrdinary(_ text: String) -> [Int] {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            var output: [Int] = []
            output.reserveCapacity(bytes.count / 3)
            encodeOrdinary(bytes, range: 0..<bytes.count, into: &output)
            return output
        }
    }

    /// The number of tokens in `text`, special-token spellings counted as plain text; never throws.
    public func tokenCount(of text: String) -> Int {
        var utf8 = text
        return utf8.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var encoder = BytePairEncoder()
            var total = 0
            preTokenizer.forEachPiece(in: bytes) { piece in total += encoder.count(base, piece, ranks: ranks) }
            return total
        }
    }

    private func encode(_ bytes: UnsafeBufferPointer<UInt8>, policy: SpecialTokenPolicy) throws(TokenizerError) -> [Int] {
        let allowed: [String]
        switch policy {
        case .encodeAsText:
            allowed = []
        case .allowAll:
            allowed = Array(specialTokens.keys)
        case .rejectAll, .allow:
            var names: Set<String> = []
            if case .allow(let set) = policy {
                if let unknown = set.first(where: { specialTokens[$0] == nil }) { throw .unknownSpecialToken(unknown) }
                names = set
            }
            if let found = firstSpecialToken(in: bytes, from: 0, among: specialTokens.keys.filter { !names.contains($0) }) {
                throw .disallowedSpecialToken(found.name)
            }
            allowed = Array(names)
        }
        var output: [Int] = []
        output.reserveCapacity(bytes.count / 3)
        var position = 0
        while let found = firstSpecialToken(in: bytes, from: position, among: allowed) {
            encodeOrdinary(bytes, range: position..<found.range.lowerBound, into: &output)
            output.append(specialTokens[found.name]!)
            position = found.range.upperBound
        }
        encodeOrdinary(bytes, range: position..<bytes.count, into: &output)
        return output
    }

    private func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, into output: inout [Int]) {
        guard !range.isEmpty, let base = bytes.baseAddress else { return }
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        var encoder = BytePairEncoder()
        preTokenizer.forEachPiece(in: slice) { piece in
            encoder.encode(base + range.lowerBound, piece, ranks: ranks, into: &output)
        }
    }

    /// The earliest occurrence of any of `names` at or after `start` (the longest at a tie).
    private func firstSpecialToken(
        in bytes: UnsafeBufferPointer<UInt8>, from start: Int, among names: [String]
    ) -> (name: String, range: Range<Int>)? {
        guard !names.isEmpty, start < bytes.count else { return nil }
        let patterns = names.map { ($0, Array($0.utf8)) }
        var index = start
        // Every special token starts with "<|"; scan for that, then compare.
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "|") {
                var best: (String, Int)? = nil
                for (name, pattern) in patterns where index + pattern.count <= bytes.count {
                    if (0..<pattern.count).allSatisfy({ bytes[index + $0] == pattern[$0] }), pattern.count > (best?.1 ?? 0) {
                        best = (name, pattern.count)
                    }
                }
                if let best { return (best.0, index..<index + best.1) }
            }
            index += 1
        }
        return nil
    }

    // MARK: - Decoding

    /// The bytes the tokens stand for, concatenated (they may end inside a UTF-8 character).
    ///
    /// - Throws: ``TokenizerError/unknownToken(_:)``.
    public func decodeBytes(_ tokens: [Int]) throws(TokenizerError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(tokens.count * 4)
        for token in tokens {
            if let bytes = ranks.bytes(of: token) {
                output.append(contentsOf: bytes)
            } else if let special = specialTokenBytes[token] {
                output.append(contentsOf: special)
            } else {
                throw .unknownToken(token)
            }
        }
        return output
    }

    /// The text the tokens stand for; lossless, so `decode(encode(text)) == text`.
    ///
    /// - Throws: ``TokenizerError/unknownToken(_:)``, or ``TokenizerError/invalidUTF8(byteOffset:)``
    ///   when the tokens cut a character (for example a prefix of an emoji's tokens).
    public func decode(_ tokens: [Int]) throws(TokenizerError) -> String {
        let bytes = try decodeBytes(tokens)
        if let offset = UTF8Validation.firstInvalidOffset(bytes) { throw .invalidUTF8(byteOffset: offset) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
