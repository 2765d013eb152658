import Foundation
import BM25
import LLMCore

/// An embedding model that needs no model: feature hashing of words, word pairs and
/// character n-grams into a fixed number of dimensions, L2-normalised.
///
/// It makes retrieval work offline and in tests, and finds documents that share words or word
/// pieces with the query (so "refunded" still meets "refund", and typos keep most of their
/// n-grams). It does **not** understand meaning: "cancel my plan" and "end my subscription"
/// share nothing. Expect keyword-like quality — see the README for measured figures — and use
/// a real embedding model when paraphrases matter.
///
/// The output is deterministic across processes and platforms (a fixed FNV-1a hash, never
/// Swift's seeded `Hasher`), so vectors can be stored and compared later.
public struct HashingEmbedder: EmbeddingModel, Sendable {
    /// The length of every vector.
    public let dimensions: Int
    /// Splits, folds, drops stopwords and stems the words that become features.
    public let analyzer: StandardAnalyzer
    /// The lengths of the character n-grams taken from each word (with `<` and `>` marking its ends).
    public let characterNGramLengths: ClosedRange<Int>
    /// The weight of the word-pair features relative to single words (0 turns them off).
    public let wordPairWeight: Float
    /// The total weight of one word's character n-grams relative to the word itself (0 turns them off).
    public let characterNGramWeight: Float

    /// Creates an embedder.
    ///
    /// - Throws: ``LLMError`` of kind ``LLMError/Kind/badRequest`` for dimensions < 1, n-gram lengths < 1,
    ///   or a negative or non-finite weight.
    public init(
        dimensions: Int = 768, analyzer: StandardAnalyzer = StandardAnalyzer(foldsDiacritics: true),
        characterNGramLengths: ClosedRange<Int> = 3...5, wordPairWeight: Float = 0.5, characterNGramWeight: Float = 0.5
    ) throws(LLMError) {
        guard dimensions > 0 else { throw LLMError(kind: .badRequest, message: "dimensions must be positive, got \(dimensions)") }
        guard characterNGramLengths.lowerBound > 0 else {
            throw LLMError(kind: .badRequest, message: "character n-gram lengths must be at least 1")
        }
        guard wordPairWeight.isFinite, wordPairWeight >= 0, characterNGramWeight.isFinite, characterNGramWeight >= 0 else {
            throw LLMError(kind: .badRequest, message: "feature weights must be finite and ≥ 0")
        }
        self.dimensions = dimensions
        self.analyzer = analyzer
        self.characterNGramLengths = characterNGramLengths
        self.wordPairWeight = wordPairWeight
        self.characterNGramWeight = characterNGramWeight
    }

    /// Embeds each text; never fails. A text with no words (empty, punctuation, only stopwords) gets the zero vector.
    public func embed(_ texts: [String]) async throws(LLMError) -> [[Float]] {
        texts.map(embedding(of:))
    }

    /// The embedding of one text, computed synchronously.
    public func embedding(of text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        let terms = analyzer.terms(in: text)
        vector.withUnsafeMutableBufferPointer { vector in
            func add(_ hash: UInt64, _ weight: Float) {
                let index = Int(hash % UInt64(dimensions))
                vector[index] += (hash >> 63) == 0 ? weight : -weight
            }
            var previous: UInt64? = nil
            for term in terms {
                let word = FNV1a.hash(term.utf8, salt: 1)
                add(word, 1)
                if let previous, wordPairWeight > 0 { add(FNV1a.combine(previous, word), wordPairWeight) }
                previous = word
                if characterNGramWeight > 0 { addCharacterNGrams(of: term, into: add) }
            }
            // Sublinear weighting, as in tf-idf's 1 + log tf: a word repeated ten times should not
            // drown the rest of the text.
            for index in vector.indices where vector[index] != 0 {
                let magnitude = abs(vector[index])
                let damped = magnitude > 1 ? 1 + log(magnitude) : magnitude
                vector[index] = vector[index] < 0 ? -damped : damped
            }
            var squaredNorm: Float = 0
            for value in vector { squaredNorm += value * value }
            guard squaredNorm > 0 else { return }
            let scale = 1 / squaredNorm.squareRoot()
            for index in vector.indices { vector[index] *= scale }
        }
        return vector
    }

    private func addCharacterNGrams(of term: String, into add: (UInt64, Float) -> Void) {
        let scalars = [UInt32(60)] + term.unicodeScalars.map(\.value) + [UInt32(62)]  // "<" term ">"
        var grams: [UInt64] = []
        for length in characterNGramLengths where length <= scalars.count {
            for start in 0...(scalars.count - length) {
                grams.append(FNV1a.hash(scalars[start..<start + length], salt: 2 + UInt64(length)))
            }
        }
        guard !grams.isEmpty else { return }
        let weight = characterNGramWeight / Float(grams.count)
        for gram in grams { add(gram, weight) }
    }
}

/// 64-bit FNV-1a: tiny, stable across processes and platforms, and good enough to spread features.
enum FNV1a {
    private static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash<Values: Sequence>(_ values: Values, salt: UInt64) -> UInt64 where Values.Element: FixedWidthInteger {
        var hash = offset ^ salt
        for value in values {
            var remaining = UInt64(truncatingIfNeeded: value)
            for _ in 0..<(Values.Element.bitWidth / 8) {
                hash = (hash ^ (remaining & 0xff)) &* prime
                remaining >>= 8
            }
        }
        return finalized(hash)
    }

    static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        finalized((a &* 31) ^ (b &+ 0x9e37_79b9_7f4a_7c15))
    }

    /// FNV's low bits mix poorly; a final avalanche (from SplitMix64) fixes the modulo and sign bits.
    private static func finalized(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
