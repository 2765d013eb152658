/// A count-min sketch of 4-bit counters that estimates how often each key was seen recently.
///
/// This is TinyLFU's memory of the past: four counters per key (one per row, picked by
/// double hashing), incremented conservatively (only the smallest ones grow, which keeps
/// over-estimates down), read as their minimum. When the number of increments reaches ten
/// times the capacity every counter is halved, so old popularity fades and a key that was hot
/// yesterday cannot squat in the cache forever. Sixteen counters share a `UInt64` word.
@usableFromInline
struct FrequencySketch: Sendable {
    @usableFromInline static let rows = 4
    @usableFromInline var words: [UInt64]
    @usableFromInline let rowMask: Int
    @usableFromInline let wordsPerRow: Int
    @usableFromInline let resetInterval: Int
    @usableFromInline var increments = 0

    /// A sketch sized for a cache of about `capacity` entries.
    @usableFromInline init(capacity: Int) {
        var counters = 16
        while counters < capacity { counters <<= 1 }
        rowMask = counters - 1
        wordsPerRow = counters / 16
        words = Array(repeating: 0, count: wordsPerRow * Self.rows)
        resetInterval = max(10 * capacity, 16)
    }

    /// The estimated number of recent occurrences of the key with this hash, 0 to 15.
    @inlinable func frequency(of hash: Int) -> Int {
        let (first, step) = Self.probe(hash)
        var minimum: UInt64 = 15
        for row in 0..<Self.rows {
            let (word, shift) = position(row: row, first: first, step: step)
            minimum = min(minimum, (words[word] >> shift) & 0xF)
        }
        return Int(minimum)
    }

    /// Records one occurrence of the key with this hash.
    @inlinable mutating func increment(_ hash: Int) {
        let (first, step) = Self.probe(hash)
        var minimum: UInt64 = 15
        for row in 0..<Self.rows {
            let (word, shift) = position(row: row, first: first, step: step)
            minimum = min(minimum, (words[word] >> shift) & 0xF)
        }
        if minimum < 15 {
            // Conservative update: only the counters at the minimum grow.
            for row in 0..<Self.rows {
                let (word, shift) = position(row: row, first: first, step: step)
                if (words[word] >> shift) & 0xF == minimum { words[word] += 1 << shift }
            }
        }
        increments += 1
        if increments >= resetInterval { halve() }
    }

    /// Halves every counter (a shift per word, masking the bit that crossed into the next counter).
    @inlinable mutating func halve() {
        for index in words.indices { words[index] = (words[index] >> 1) & 0x7777_7777_7777_7777 }
        increments /= 2
    }

    /// The start and step of the key's double hashing; the caller's hash is mixed first because
    /// it may be weak in its low bits.
    @inline(__always)
    @inlinable static func probe(_ hash: Int) -> (first: Int, step: Int) {
        var mixed = UInt64(bitPattern: Int64(hash)) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        return (Int(truncatingIfNeeded: mixed), Int(truncatingIfNeeded: mixed >> 32) | 1)
    }

    @inline(__always)
    @inlinable func position(row: Int, first: Int, step: Int) -> (word: Int, shift: UInt64) {
        let counter = (first &+ row &* step) & rowMask
        return (row * wordsPerRow + counter >> 4, UInt64(counter & 15) << 2)
    }
}
