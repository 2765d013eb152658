import Foundation
import LLMCore

/// A binary logistic-regression classifier over ``HashedFeatures`` of ``TextNormalizer``-normalized
/// text: scores a post in microseconds, trains in seconds, saves in a file of `4 × 2^bits` bytes.
public struct LinearClassifier: Sendable {
    /// How text becomes features.
    public let features: HashedFeatures
    /// The normalization applied before featurizing.
    public let normalizer: TextNormalizer
    /// One weight per feature bucket.
    public private(set) var weights: [Float]
    /// The intercept.
    public private(set) var bias: Float

    /// Training settings.
    public struct Training: Sendable, Hashable {
        /// Passes over the data.
        public var epochs: Int
        /// AdaGrad's base step.
        public var learningRate: Float
        /// L2 penalty per step.
        public var l2: Float
        /// Whether to weigh each class by the inverse of its frequency (so a 5:1 imbalance does not
        /// push every score towards the majority).
        public var balancesClasses: Bool
        /// Seeds the example order: the same data and seed give the same model.
        public var seed: UInt64

        /// The defaults: 6 epochs, step 0.3, L2 1e-6, balanced classes, seed 1.
        public init(epochs: Int = 6, learningRate: Float = 0.3, l2: Float = 1e-6, balancesClasses: Bool = true, seed: UInt64 = 1) {
            self.epochs = epochs
            self.learningRate = learningRate
            self.l2 = l2
            self.balancesClasses = balancesClasses
            self.seed = seed
        }
    }

    /// An untrained classifier (every score 0.5).
    public init(features: HashedFeatures = HashedFeatures(), normalizer: TextNormalizer = TextNormalizer()) {
        self.features = features
        self.normalizer = normalizer
        weights = [Float](repeating: 0, count: features.dimension)
        bias = 0
    }

    /// The probability that `text` is positive (harmful), in (0, 1).
    public func score(_ text: String) -> Double {
        score(features.features(of: normalizer.normalize(text)))
    }

    /// The probability for an already featurized text.
    public func score(_ vector: SparseVector) -> Double {
        var sum = bias
        for (index, value) in zip(vector.indices, vector.values) { sum += weights[Int(index)] * value }
        return 1 / (1 + exp(-Double(sum)))
    }

    /// Trains a classifier on labelled texts (`true` = positive).
    ///
    /// - Throws: ``ClassifierError/invalidTrainingData(_:)`` when there are no examples or only one class.
    public static func train(
        _ examples: [(text: String, positive: Bool)], features: HashedFeatures = HashedFeatures(),
        normalizer: TextNormalizer = TextNormalizer(), training: Training = Training()
    ) throws(ClassifierError) -> LinearClassifier {
        let positives = examples.filter(\.positive).count
        guard positives > 0, positives < examples.count else {
            throw .invalidTrainingData("training needs examples of both classes; got \(positives) positive of \(examples.count)")
        }
        var model = LinearClassifier(features: features, normalizer: normalizer)
        let vectors = examples.map { features.features(of: normalizer.normalize($0.text)) }
        let total = Float(examples.count)
        let positiveWeight = training.balancesClasses ? total / (2 * Float(positives)) : 1
        let negativeWeight = training.balancesClasses ? total / (2 * (total - Float(positives))) : 1
        var squaredGradients = [Float](repeating: 1e-8, count: features.dimension)
        var biasSquared: Float = 1e-8
        var order = Array(examples.indices)
        var random = SplitMix64(seed: training.seed)
        for _ in 0..<max(1, training.epochs) {
            order.shuffle(using: &random)
            for index in order {
                let vector = vectors[index]
                let target: Float = examples[index].positive ? 1 : 0
                let probability = Float(model.score(vector))
                let weight = examples[index].positive ? positiveWeight : negativeWeight
                let error = (probability - target) * weight
                for (feature, value) in zip(vector.indices, vector.values) {
                    let slot = Int(feature)
                    let gradient = error * value + training.l2 * model.weights[slot]
                    squaredGradients[slot] += gradient * gradient
                    model.weights[slot] -= training.learningRate * gradient / squaredGradients[slot].squareRoot()
                }
                biasSquared += error * error
                model.bias -= training.learningRate * error / biasSquared.squareRoot()
            }
        }
        return model
    }

    // MARK: - Saving

    private static let magic = Array("SWLINCLF".utf8)
    private static let version: UInt32 = 1

    /// Writes the model to `path` (replaced atomically): a header, the weights as little-endian
    /// floats, and a checksum.
    public func save(to path: String) throws(ClassifierError) {
        var bytes = Self.magic
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(Self.version)
        append(UInt32(features.bits))
        append(UInt32(features.characterNGrams.lowerBound))
        append(UInt32(features.characterNGrams.upperBound))
        append(UInt32(normalizer.rules.rawValue))
        append(bias.bitPattern)
        for weight in weights { append(weight.bitPattern) }
        append(Self.checksum(bytes))
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .file("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Loads a model written by ``save(to:)``.
    ///
    /// - Throws: ``ClassifierError/file(_:)`` for a missing, truncated, corrupted or foreign file.
    public init(contentsOf path: String) throws(ClassifierError) {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .file("cannot read \(path): \(error.localizedDescription)")
        }
        let headerSize = Self.magic.count + 4 * 6
        guard bytes.count >= headerSize + 8, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw .file("\(path) is not a classifier file (or is truncated)")
        }
        func read32(_ offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        let body = bytes.dropLast(8)
        let stored = bytes.suffix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard Self.checksum(Array(body)) == stored else { throw .file("\(path) is corrupted (checksum mismatch); train again") }
        var offset = Self.magic.count
        guard read32(offset) == Self.version else { throw .file("\(path) has format version \(read32(offset)); this build reads \(Self.version)") }
        offset += 4
        let bits = Int(read32(offset)), low = Int(read32(offset + 4)), high = Int(read32(offset + 8))
        let rules = Int(read32(offset + 12))
        offset += 16
        guard (8...28).contains(bits), low >= 1, high >= low else { throw .file("\(path) has an invalid header") }
        let features = HashedFeatures(bits: bits, characterNGrams: low...high)
        guard body.count == headerSize + 4 * features.dimension else {
            throw .file("\(path) holds \(body.count - headerSize) bytes of weights, not \(4 * features.dimension)")
        }
        self.features = features
        normalizer = TextNormalizer(rules: TextNormalizer.Rules(rawValue: rules))
        bias = Float(bitPattern: read32(offset))
        offset += 4
        var weights = [Float](repeating: 0, count: features.dimension)
        for slot in weights.indices { weights[slot] = Float(bitPattern: read32(offset + 4 * slot)) }
        self.weights = weights
    }

    private static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// What can go wrong training, saving or loading a classifier.
public enum ClassifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The examples cannot train a model.
    case invalidTrainingData(String)
    /// A model file cannot be written or used.
    case file(String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidTrainingData(let message): "cannot train: \(message)"
        case .file(let message): message
        }
    }
}
