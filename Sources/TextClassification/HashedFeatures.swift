/// Turns text into a sparse vector of hashed word and character n-gram counts: word unigrams and
/// bigrams, and character n-grams (3 to 5 by default) of each word padded with spaces, hashed
/// (FNV-1a) into `2^bits` buckets, counted sublinearly (1 + log count) and scaled to unit length.
/// No vocabulary to build or store, and unseen words still share n-grams with seen ones.
public struct HashedFeatures: Sendable, Hashable {
    /// The number of buckets is `2^bits`.
    public var bits: Int
    /// The character n-gram lengths.
    public var characterNGrams: ClosedRange<Int>

    /// Creates a feature extractor.
    public init(bits: Int = 18, characterNGrams: ClosedRange<Int> = 3...5) {
        self.bits = min(28, max(8, bits))
        self.characterNGrams = max(1, characterNGrams.lowerBound)...max(1, characterNGrams.upperBound)
    }

    /// The number of buckets.
    public var dimension: Int { 1 << bits }

    /// The features of `text` (already normalized, if it should be), as sorted unique bucket indices
    /// and their values.
    public func features(of text: String) -> SparseVector {
        var counts: [Int: Float] = [:]
        let mask = UInt64(dimension - 1)
        func add(_ seed: UInt64, _ bytes: some Sequence<UInt8>) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            counts[Int(hash & mask), default: 0] += 1
        }
        let words = text.split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map { Array($0.utf8) }
        for (index, word) in words.enumerated() {
            add(1, word)
            if index > 0 { add(2, words[index - 1] + [32] + word) }
            let padded = [32] + word + [32]
            for length in characterNGrams where padded.count >= length {
                for start in 0...(padded.count - length) { add(3 &+ UInt64(length), padded[start..<(start + length)]) }
            }
        }
        var entries = counts.map { (index: $0.key, value: 1 + log($0.value)) }
        entries.sort { $0.index < $1.index }
        let norm = entries.reduce(Float(0)) { $0 + $1.value * $1.value }.squareRoot()
        return SparseVector(indices: entries.map { Int32($0.index) }, values: entries.map { norm > 0 ? $0.value / norm : 0 })
    }
}

/// A sparse vector: sorted indices and their values.
public struct SparseVector: Sendable, Hashable {
    /// The non-zero positions, ascending.
    public var indices: [Int32]
    /// The values at those positions.
    public var values: [Float]
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
