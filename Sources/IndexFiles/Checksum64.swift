/// A fast streaming 64-bit checksum for index files: four independent multiply-rotate lanes
/// over 32-byte blocks (so the CPU overlaps them), then a final avalanche.
///
/// It detects corruption and truncation; it is not a cryptographic hash.
public struct Checksum64: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (
        0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
    )
    private var pending = [UInt8]()
    private var length: UInt64 = 0

    /// Creates a checksum of nothing.
    public init() { pending.reserveCapacity(32) }

    @inline(__always)
    private static func mix(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = lane &+ word &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    /// Adds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { consumeBlocks($0) }
            pending.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = (bytes.count - offset) / 32 * 32
        if wholeBlocks > 0 {
            consumeBlocks(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + wholeBlocks)]))
            offset += wholeBlocks
        }
        pending.append(contentsOf: bytes[offset...])
    }

    /// Adds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func consumeBlocks(_ blocks: UnsafeRawBufferPointer) {
        var (a, b, c, d) = lanes
        var offset = 0
        while offset < blocks.count {
            a = Self.mix(a, UInt64(littleEndian: blocks.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            b = Self.mix(b, UInt64(littleEndian: blocks.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
            c = Self.mix(c, UInt64(littleEndian: blocks.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
            d = Self.mix(d, UInt64(littleEndian: blocks.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
            offset += 32
        }
        lanes = (a, b, c, d)
    }

    /// The checksum of everything added.
    public func finalize() -> UInt64 {
        var (a, b, c, d) = lanes
        for (index, byte) in pending.enumerated() {
            switch index & 3 {
            case 0: a = Self.mix(a, UInt64(byte) &+ Self.prime3)
            case 1: b = Self.mix(b, UInt64(byte) &+ Self.prime3)
            case 2: c = Self.mix(c, UInt64(byte) &+ Self.prime3)
            default: d = Self.mix(d, UInt64(byte) &+ Self.prime3)
            }
        }
        var hash = ((a << 1) | (a >> 63)) &+ ((b << 7) | (b >> 57)) &+ ((c << 12) | (c >> 52)) &+ ((d << 18) | (d >> 46))
        hash ^= length &* Self.prime3
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }
}
