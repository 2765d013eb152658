import Foundation
import LLMCore
import TextClassification

/// A trained tier-1 (or tier-2) classifier with its decision thresholds.
public struct ModerationModel: Sendable {
    /// Scores posts.
    public var classifier: LinearClassifier
    /// Scores below this are published.
    public var publishBelow: Double
    /// Scores at or above this are held.
    public var holdFrom: Double

    /// What a score decides.
    public enum Verdict: String, Sendable, Codable {
        /// Clearly safe.
        case publish
        /// Clearly harmful.
        case hold
        /// Uncertain: ask the next tier.
        case uncertain
    }

    /// The verdict for a score.
    public func verdict(for score: Double) -> Verdict {
        score >= holdFrom ? .hold : score < publishBelow ? .publish : .uncertain
    }

    /// Trains on `posts` (those with labels): 90% train the classifier, the held-out 10% (seeded)
    /// calibrate the thresholds — hold from the score where at most `holdFalsePositiveRate` of safe
    /// posts would be held, publish below the score where at most `publishFalseNegativeRate` of
    /// harmful posts would be published.
    public static func train(
        _ posts: [LabelledPost], features: HashedFeatures = HashedFeatures(), normalizer: TextNormalizer = TextNormalizer(),
        holdFalsePositiveRate: Double = 0.01, publishFalseNegativeRate: Double = 0.02, seed: UInt64 = 1
    ) throws -> ModerationModel {
        var labelled = posts.compactMap { post in post.harmful.map { (post.text, $0) } }
        var random = SplitMix64(seed: seed)
        labelled.shuffle(using: &random)
        let calibrationCount = max(1, labelled.count / 10)
        let calibration = labelled.prefix(calibrationCount)
        let training = Array(labelled.dropFirst(calibrationCount))
        let classifier = try LinearClassifier.train(training.map { (text: $0.0, positive: $0.1) }, features: features, normalizer: normalizer, training: .init(seed: seed))
        let scores = calibration.map { classifier.score($0.0) }
        let labels = calibration.map(\.1)
        let hold = BinaryMetrics.threshold(forFalsePositiveRate: holdFalsePositiveRate, scores: scores, labels: labels)
        // Publishing is "calling negative": mirror the rule on inverted scores and labels.
        let publish = 1 - BinaryMetrics.threshold(
            forFalsePositiveRate: publishFalseNegativeRate, scores: scores.map { 1 - $0 }, labels: labels.map { !$0 })
        return ModerationModel(classifier: classifier, publishBelow: min(publish, hold), holdFrom: hold)
    }

    /// Saves the classifier to `path` and the thresholds to `path` + `.json`.
    public func save(to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try classifier.save(to: path)
        let thresholds: JSONValue = ["publish_below": .double(publishBelow), "hold_from": .double(holdFrom)]
        try Data(try thresholds.serialized().utf8).write(to: URL(fileURLWithPath: path + ".json"), options: .atomic)
    }

    /// Loads a model saved by ``save(to:)``.
    public init(contentsOf path: String) throws {
        classifier = try LinearClassifier(contentsOf: path)
        guard let text = try? String(contentsOfFile: path + ".json", encoding: .utf8), let json = try? JSONValue(parsing: text),
            let publish = json["publish_below"]?.doubleValue, let hold = json["hold_from"]?.doubleValue
        else { throw ModerationError.data("\(path).json (the thresholds) is missing or malformed; train again") }
        publishBelow = publish
        holdFrom = hold
    }

    /// Creates a model from parts.
    public init(classifier: LinearClassifier, publishBelow: Double, holdFrom: Double) {
        self.classifier = classifier
        self.publishBelow = publishBelow
        self.holdFrom = holdFrom
    }
}
