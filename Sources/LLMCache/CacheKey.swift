import LLMCore

/// A 256-bit key for a cache entry: the SHA-256 of a canonical description of what was asked.
///
/// Keys are stable across processes, machines and releases of this package that keep
/// ``ChatRequest/cacheKey(partition:cachingSampledRequests:)``'s version, so they can be shared
/// through Redis.
public struct CacheKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Creates a key from a 32-byte digest.
    ///
    /// - Throws: ``LLMError/Kind/badRequest`` when `bytes` is not 32 bytes long.
    public init(digest bytes: [UInt8]) throws(LLMError) {
        guard bytes.count == 32 else {
            throw LLMError(kind: .badRequest, message: "a cache key is a 32-byte SHA-256 digest, got \(bytes.count) bytes")
        }
        self.bytes = bytes
    }

    /// The key of arbitrary text: the SHA-256 of its UTF-8 bytes.
    public init(hashing text: String) {
        bytes = SHA256.hash(text.utf8)
    }

    /// The key of raw bytes: their SHA-256.
    public init(hashing data: some Sequence<UInt8>) {
        bytes = SHA256.hash(data)
    }

    /// The key as 64 lowercase hexadecimal digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hexadecimal form.
    public var description: String { hex }

    /// Parses 64 lowercase hexadecimal digits; `nil` for anything else.
    public init?(hex text: String) {
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// Decodes the hexadecimal form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = CacheKey(hex: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "a cache key is 64 lowercase hex digits, got \(text)"))
        }
        self = key
    }

    /// Encodes the hexadecimal form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
