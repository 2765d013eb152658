import Foundation
import IndexFiles
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
    /// Magic, version, bucket bits, n-gram range, normalizer rules, bias.
    private static let headerSize = 8 + 4 * 6

    /// Writes the model to `path` as an index file (see the IndexFiles module: written beside the
    /// destination and renamed into place, checksummed): a header, then the weights as
    /// little-endian floats.
    public func save(to path: String) throws(ClassifierError) {
        var header = ByteWriter()
        header.append(raw: Self.magic)
        header.append(Self.version)
        header.append(UInt32(features.bits))
        header.append(UInt32(features.characterNGrams.lowerBound))
        header.append(UInt32(features.characterNGrams.upperBound))
        header.append(UInt32(normalizer.rules.rawValue))
        header.append(bias)
        do throws(IndexFileError) {
            var writer = try IndexFileWriter(path: path)
            try writer.append(header.bytes)
            try writer.append(weights.withUnsafeBytes { Array($0) })
            try writer.finish()
        } catch {
            throw .file("cannot write \(path): \(error)")
        }
    }

    /// Loads a model written by ``save(to:)``.
    ///
    /// - Throws: ``ClassifierError/file(_:)`` for a missing, truncated, corrupted or foreign file.
    public init(contentsOf path: String) throws(ClassifierError) {
        do throws(IndexFileError) {
            var reader = try IndexFileReader(path: path)
            guard reader.size >= Self.headerSize + 8 else { throw .truncated(expectedBytes: Self.headerSize + 8, actualBytes: reader.size) }
            var header = ByteReader(try reader.readBytes(Self.headerSize))
            guard Array(try header.readBytes(8)) == Self.magic else { throw .wrongFormat }
            let version = try header.read(UInt32.self)
            guard version == Self.version else { throw .unsupportedVersion(found: version, supported: Self.version) }
            let bits = Int(try header.read(UInt32.self)), low = Int(try header.read(UInt32.self)), high = Int(try header.read(UInt32.self))
            let rules = Int(try header.read(UInt32.self))
            let bias = try header.read(Float.self)
            guard (8...28).contains(bits), low >= 1, high >= low else { throw .corrupt("the header is invalid") }
            let features = HashedFeatures(bits: bits, characterNGrams: low...high)
            let expected = Self.headerSize + 4 * features.dimension + 8
            guard reader.size == expected else { throw .truncated(expectedBytes: expected, actualBytes: reader.size) }
            let raw = try reader.readBytes(4 * features.dimension)
            var weights = [Float](repeating: 0, count: features.dimension)
            weights.withUnsafeMutableBytes { $0.copyBytes(from: raw) }
            let computed = reader.checksum.finalize()
            let stored = try reader.readBytes(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard stored == computed else { throw .checksumMismatch }
            self.features = features
            normalizer = TextNormalizer(rules: TextNormalizer.Rules(rawValue: rules))
            self.bias = bias
            self.weights = weights
        } catch {
            throw .file("\(path) cannot be used: \(error); train again")
        }
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
