/// A read-only map from byte strings to ranks, and from ranks back to byte strings, built once
/// from a rank file: all keys live in one byte arena and the lookup is open addressing on a
/// 64-bit hash, so `rank(of:)` allocates nothing (a `Dictionary<[UInt8], Int>` would build an
/// array per lookup, millions of times per megabyte of text).
struct RankTable: @unchecked Sendable {
    private let arena: [UInt8]
    /// Slot → token rank + 1 (0 = empty); the table has a power-of-two size, at most half full.
    private let slots: [UInt32]
    private let mask: Int
    /// Rank → (offset, length) in the arena; length 0 marks a rank not in the file.
    private let spans: [(offset: Int32, length: Int32)]
    /// The rank of each single byte, or −1 if the encoding lacks it.
    let byteRanks: [Int32]

    init(tokens: [(bytes: ArraySlice<UInt8>, rank: Int)]) {
        var arena: [UInt8] = []
        arena.reserveCapacity(tokens.reduce(0) { $0 + $1.bytes.count })
        let maximumRank = tokens.map(\.rank).max() ?? -1
        var spans = [(offset: Int32, length: Int32)](repeating: (0, 0), count: maximumRank + 1)
        var capacity = 16
        while capacity < tokens.count * 2 { capacity *= 2 }
        var slots = [UInt32](repeating: 0, count: capacity)
        var byteRanks = [Int32](repeating: -1, count: 256)
        for token in tokens {
            let offset = arena.count
            arena.append(contentsOf: token.bytes)
            spans[token.rank] = (Int32(offset), Int32(token.bytes.count))
            if token.bytes.count == 1 { byteRanks[Int(token.bytes.first!)] = Int32(token.rank) }
            var slot = arena.withUnsafeBufferPointer { Self.hash($0.baseAddress! + offset, token.bytes.count) } & (capacity - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = UInt32(token.rank + 1)
        }
        self.arena = arena
        self.slots = slots
        self.spans = spans
        self.byteRanks = byteRanks
        mask = capacity - 1
    }

    /// The number of ranks (the largest rank + 1).
    var count: Int { spans.count }

    /// The rank of `count` bytes at `bytes`, or −1.
    @inline(__always)
    func rank(of bytes: UnsafePointer<UInt8>, count: Int) -> Int {
        if count == 1 { return Int(byteRanks[Int(bytes.pointee)]) }
        var slot = Self.hash(bytes, count) & mask
        return arena.withUnsafeBufferPointer { arena in
            slots.withUnsafeBufferPointer { slots in
                while true {
                    let entry = Int(slots[slot])
                    if entry == 0 { return -1 }
                    let span = spans[entry - 1]
                    if Int(span.length) == count && memcmp(arena.baseAddress! + Int(span.offset), bytes, count) == 0 {
                        return entry - 1
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// The bytes of `rank`, or `nil` if the encoding has no such token.
    func bytes(of rank: Int) -> ArraySlice<UInt8>? {
        guard rank >= 0, rank < spans.count, spans[rank].length > 0 else { return nil }
        let span = spans[rank]
        return arena[Int(span.offset)..<Int(span.offset + span.length)]
    }

    /// A multiply-xorshift hash over 8-byte words: fast for the short strings BPE looks up.
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(count &+ 1)
        var index = 0
        while index + 8 <= count {
            let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return Int(truncatingIfNeeded: hash)
    }
}

@inline(__always)
private func memcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
    for index in 0..<count where a[index] != b[index] { return 1 }
    return 0
}
