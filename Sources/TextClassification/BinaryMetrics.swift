/// Quality measures of a binary classifier's scores against labels.
public struct BinaryMetrics: Sendable, Hashable {
    /// Precision, recall and F1 of one class.
    public struct ClassScores: Sendable, Hashable {
        /// Of the texts given this class, the share that have it.
        public var precision: Double
        /// Of the texts that have this class, the share given it.
        public var recall: Double
        /// The harmonic mean of precision and recall.
        public var f1: Double
    }

    /// The area under the ROC curve: the chance a random positive scores above a random negative.
    public var rocAUC: Double
    /// Scores of the positive class at the threshold.
    public var positive: ClassScores
    /// Scores of the negative class at the threshold.
    public var negative: ClassScores
    /// The mean F1 of the two classes.
    public var macroF1: Double { (positive.f1 + negative.f1) / 2 }
    /// Negatives called positive, over all negatives.
    public var falsePositiveRate: Double
    /// Positives called negative, over all positives.
    public var falseNegativeRate: Double

    /// Measures `scores` (higher = more positive) against `labels`, calling positive every score at
    /// or above `threshold`.
    public init(scores: [Double], labels: [Bool], threshold: Double) {
        precondition(scores.count == labels.count, "BinaryMetrics: one label per score")
        rocAUC = Self.areaUnderROC(scores: scores, labels: labels)
        var truePositive = 0.0, falsePositive = 0.0, trueNegative = 0.0, falseNegative = 0.0
        for (score, label) in zip(scores, labels) {
            switch (score >= threshold, label) {
            case (true, true): truePositive += 1
            case (true, false): falsePositive += 1
            case (false, false): trueNegative += 1
            case (false, true): falseNegative += 1
            }
        }
        func classScores(_ right: Double, _ wronglyGiven: Double, _ missed: Double) -> ClassScores {
            let precision = right + wronglyGiven > 0 ? right / (right + wronglyGiven) : 0
            let recall = right + missed > 0 ? right / (right + missed) : 0
            return ClassScores(precision: precision, recall: recall, f1: precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0)
        }
        positive = classScores(truePositive, falsePositive, falseNegative)
        negative = classScores(trueNegative, falseNegative, falsePositive)
        falsePositiveRate = falsePositive + trueNegative > 0 ? falsePositive / (falsePositive + trueNegative) : 0
        falseNegativeRate = falseNegative + truePositive > 0 ? falseNegative / (falseNegative + truePositive) : 0
    }

    /// ROC AUC by ranks (Mann–Whitney U), ties counted half.
    public static func areaUnderROC(scores: [Double], labels: [Bool]) -> Double {
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end where labels[order[position]] { rankSum += rank }
            start = end + 1
        }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// The lowest threshold whose false-positive rate on `scores`/`labels` is at most `rate`.
    public static func threshold(forFalsePositiveRate rate: Double, scores: [Double], labels: [Bool]) -> Double {
        let negatives = zip(scores, labels).filter { !$0.1 }.map(\.0).sorted(by: >)
        guard !negatives.isEmpty else { return 0.5 }
        let allowed = Int((Double(negatives.count) * rate).rounded(.down))
        // Above the (allowed+1)-th highest negative score, at most `allowed` negatives are flagged.
        return allowed < negatives.count ? negatives[allowed].nextUp : 0
    }
}
