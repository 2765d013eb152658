import LLMCore

/// A seeded random number generator (SplitMix64), so property tests and generated test data are
/// the same on every run and every platform.
///
/// ```swift
/// var random = SeededRandomNumberGenerator(seed: 42)
/// let sample = (0..<100).map { _ in Int.random(in: 0..<10, using: &random) }
/// ```
/// Not for cryptography.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    /// Creates a generator; equal seeds give equal sequences.
    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { base.next() }
}
