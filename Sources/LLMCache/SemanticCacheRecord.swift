import Foundation

/// One semantic-cache entry as written to a file or a store: JSON, the vector as base64 of
/// little-endian float32 (exact, and a third of the size of decimal text), the expiry as wall
/// time so it survives a restart.
struct SemanticCacheRecord<Value: Codable & Sendable>: Codable, Sendable {
    var partition: String
    var text: String
    var vector: String
    var value: Value
    var tags: [String]
    /// Seconds since 1970 at which the entry expires; `nil` for never.
    var expiresAt: Double?

    init(_ entry: SemanticCache<Value>.Entry, now: Int64, wallNow: Date) {
        partition = entry.partition.hex
        text = entry.text
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.vector.count * 4)
        for component in entry.vector { withUnsafeBytes(of: component.bitPattern.littleEndian) { bytes += $0 } }
        vector = Data(bytes).base64EncodedString()
        value = entry.value
        tags = entry.tags.sorted()
        expiresAt = entry.expiresAt == .max ? nil : wallNow.timeIntervalSince1970 + Double(entry.expiresAt - now) / 1e9
    }

    func decodedVector() throws(CacheError) -> [Float] {
        guard let data = Data(base64Encoded: vector), data.count % 4 == 0 else {
            throw .corruptData("an entry's vector is not base64 of float32 values")
        }
        return stride(from: 0, to: data.count, by: 4).map { offset in
            var bits: UInt32 = 0
            for byte in 0..<4 { bits |= UInt32(data[data.startIndex + offset + byte]) << (8 * byte) }
            return Float(bitPattern: bits)
        }
    }
}

/// The file ``SemanticCache/save(to:)`` writes.
struct SemanticCacheFile<Value: Codable & Sendable>: Codable, Sendable {
    static var currentVersion: Int { 1 }
    var format: String
    var version: Int
    var dimension: Int
    var entries: [SemanticCacheRecord<Value>]
}
