/// A seeded random number generator (SplitMix64), so property tests and generated test data are
/// the same on every run and every platform.
///
/// ```swift
/// var random = SeededRandomNumberGenerator(seed: 42)
/// let sample = (0..<100).map { _ in Int.random(in: 0..<10, using: &random) }
/// ```
/// Not for cryptography.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; equal seeds give equal sequences.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
