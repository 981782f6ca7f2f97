/// Thresholds from measured score distributions: the similarity an impostor reaches at a
/// chosen false-accept rate.
///
/// ```swift
/// let point = ThresholdCalibration.threshold(impostorScores: maxima, falseAcceptRate: 1e-3)
/// print(point.threshold, point.resolved)
/// ```
///
/// For pairs, the impostor scores are one similarity per impostor pair. For open-set
/// identification they are, per stranger probe, the best similarity to anyone in the gallery
/// (the impostor *maxima*): a search compares a stranger with every enrolled person and
/// keeps the best, so its false-positive rate at a threshold is the share of maxima at or
/// above it, which is far above the pair rate at the same threshold.
public enum ThresholdCalibration {
    public struct Point: Sendable, Hashable {
        /// The false-accept rate asked for.
        public var falseAcceptRate: Double
        /// Scores at or above it are accepted.
        public var threshold: Float
        /// Share of the impostor scores at or above ``threshold`` (at most the rate asked for).
        public var measuredRate: Double
        /// Impostor scores the threshold was measured on.
        public var impostors: Int
        /// False when there are too few impostor scores for the rate (fewer than 10 / rate):
        /// the threshold is then just above the highest impostor score seen and is a lower bound.
        public var resolved: Bool
    }

    /// The lowest threshold (just above an observed impostor score) that accepts at most
    /// `falseAcceptRate × count` of `impostorScores`.
    public static func threshold(impostorScores: [Float], falseAcceptRate: Double) -> Point {
        precondition(!impostorScores.isEmpty, "no impostor scores")
        let sorted = impostorScores.sorted(by: >)
        let allowed = Int((falseAcceptRate * Double(sorted.count)).rounded(.down))
        // Accept the `allowed` highest scores at most; ties with the next one stay rejected.
        let threshold = sorted[min(allowed, sorted.count - 1)].nextUp
        let accepted = sorted.prefix { $0 >= threshold }.count
        return Point(falseAcceptRate: falseAcceptRate, threshold: threshold,
                     measuredRate: Double(accepted) / Double(sorted.count), impostors: sorted.count,
                     resolved: Double(sorted.count) * falseAcceptRate >= 10)
    }

    /// Share of `scores` at or above `threshold`.
    public static func rate(of scores: [Float], atOrAbove threshold: Float) -> Double {
        scores.isEmpty ? 0 : Double(scores.filter { $0 >= threshold }.count) / Double(scores.count)
    }
}
