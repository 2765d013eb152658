#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A key type an index can save to and load from a file.
///
/// Conformances are provided for the integer types, `String` and `UUID`; conform your own
/// key type by encoding it to bytes and back.
public protocol PersistableKey: Hashable, Sendable {
    /// A stable name for the type, stored in the file and checked on load.
    static var persistentTypeName: String { get }
    /// Appends the key's bytes.
    func appendPersistentBytes(to bytes: inout [UInt8])
    /// Reads a key written by ``appendPersistentBytes(to:)`` at `offset`, advancing it; returns `nil` if the bytes are malformed.
    static func readPersistentBytes(_ bytes: [UInt8], at offset: inout Int) -> Self?
}

extension PersistableKey where Self: FixedWidthInteger {
    /// Appends the integer in little-endian order.
    public func appendPersistentBytes(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads a little-endian integer.
    public static func readPersistentBytes(_ bytes: [UInt8], at offset: inout Int) -> Self? {
        let size = MemoryLayout<Self>.size
        guard offset + size <= bytes.count else { return nil }
        defer { offset += size }
        return bytes.withUnsafeBytes { Self(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Self.self)) }
    }
}

extension Int: PersistableKey {
    /// Stored as a 64-bit integer.
    public static var persistentTypeName: String { "Int64" }

    /// Appends the key as a little-endian 64-bit integer.
    public func appendPersistentBytes(to bytes: inout [UInt8]) { Int64(self).appendPersistentBytes(to: &bytes) }

    /// Reads a little-endian 64-bit integer.
    public static func readPersistentBytes(_ bytes: [UInt8], at offset: inout Int) -> Int? {
        Int64.readPersistentBytes(bytes, at: &offset).flatMap { Int(exactly: $0) }
    }
}

extension Int64: PersistableKey {
    /// `Int64`.
    public static var persistentTypeName: String { "Int64" }
}

extension UInt64: PersistableKey {
    /// `UInt64`.
    public static var persistentTypeName: String { "UInt64" }
}

extension Int32: PersistableKey {
    /// `Int32`.
    public static var persistentTypeName: String { "Int32" }
}

extension UInt32: PersistableKey {
    /// `UInt32`.
    public static var persistentTypeName: String { "UInt32" }
}

extension String: PersistableKey {
    /// `String` (UTF-8, length-prefixed).
    public static var persistentTypeName: String { "String" }

    /// Appends the UTF-8 length and bytes.
    public func appendPersistentBytes(to bytes: inout [UInt8]) {
        UInt32(utf8.count).appendPersistentBytes(to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    /// Reads a length-prefixed UTF-8 string.
    public static func readPersistentBytes(_ bytes: [UInt8], at offset: inout Int) -> String? {
        guard let count = UInt32.readPersistentBytes(bytes, at: &offset).map(Int.init), offset + count <= bytes.count else {
            return nil
        }
        defer { offset += count }
        return String(validating: bytes[offset..<(offset + count)], as: UTF8.self)
    }
}

extension UUID: PersistableKey {
    /// `UUID` (16 bytes).
    public static var persistentTypeName: String { "UUID" }

    /// Appends the 16 bytes.
    public func appendPersistentBytes(to bytes: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { bytes.append(contentsOf: $0) }
    }

    /// Reads 16 bytes.
    public static func readPersistentBytes(_ bytes: [UInt8], at offset: inout Int) -> UUID? {
        guard offset + 16 <= bytes.count else { return nil }
        var value = UUID().uuid
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<(offset + 16)]) }
        offset += 16
        return UUID(uuid: value)
    }
}
