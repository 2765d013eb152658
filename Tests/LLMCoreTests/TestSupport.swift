import Foundation
import LLMCore

/// A small seeded generator (the package's SplitMix64) so property tests are reproducible.
struct TestRandom: RandomNumberGenerator {
    private var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { base.next() }

    mutating func next(upperBound: Int) -> Int {
        Int(next() % UInt64(upperBound))
    }
}

enum JSONEncoderFacade {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try JSONEncoder().encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
