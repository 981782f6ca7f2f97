/// One compared pair: its similarity and whether it is truly the same person.
public struct ScoredPair: Sendable, Hashable, Codable {
    /// Cosine similarity; −1 for a pair that failed (no face in one of the images).
    public var score: Float
    /// Ground truth: the two images show the same person.
    public var same: Bool

    public init(score: Float, same: Bool) {
        self.score = score
        self.same = same
    }
}

/// A point of a ROC curve: pairs with `score >= threshold` are accepted as the same person.
public struct ROCPoint: Sendable, Hashable, Codable {
    public var threshold: Float
    /// Impostor pairs accepted / impostor pairs.
    public var falseAcceptRate: Double
    /// Genuine pairs accepted / genuine pairs.
    public var trueAcceptRate: Double
}

/// The true-accept rate at the strictest threshold that keeps false accepts within a target rate.
public struct OperatingPoint: Sendable, Hashable, Codable {
    /// The false-accept rate asked for, such as 1e-3.
    public var targetFalseAcceptRate: Double
    /// The lowest threshold whose false-accept rate is at most the target.
    public var threshold: Float
    /// The false-accept rate actually reached at `threshold` (at most the target).
    public var falseAcceptRate: Double
    public var trueAcceptRate: Double
    /// Impostor pairs behind the rate. Below `1 / target` the target cannot be resolved and the
    /// threshold only rejects every impostor seen.
    public var impostors: Int

    /// Whether there are enough impostor pairs for the target to mean anything.
    public var isResolved: Bool { Double(impostors) * targetFalseAcceptRate >= 1 }
}

/// One fold of a k-fold evaluation: the threshold chosen on the other folds and the accuracy
/// it gives on this one.
public struct FoldResult: Sendable, Hashable, Codable {
    /// 1-based fold number.
    public var fold: Int
    public var pairs: Int
    public var threshold: Float
    public var accuracy: Double
}

/// Verification metrics over scored pairs: accuracy, k-fold threshold selection, ROC, TAR at
/// FAR, equal error rate and area under the ROC curve.
///
/// ```swift
/// let pairs = [ScoredPair(score: 0.8, same: true), ScoredPair(score: 0.1, same: false)]
/// let roc = VerificationMetrics.roc(pairs)
/// let tar = VerificationMetrics.trueAcceptRate(pairs, atFalseAcceptRate: 1e-3)
/// ```
///
/// A pair is accepted as the same person when `score >= threshold`, as in `Verification`.
public enum VerificationMetrics {
    /// Fraction of pairs decided correctly at `threshold`; 0 for no pairs.
    public static func accuracy(_ pairs: [ScoredPair], threshold: Float) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let correct = pairs.count { ($0.score >= threshold) == $0.same }
        return Double(correct) / Double(pairs.count)
    }

    /// The threshold with the best accuracy on `pairs`, and that accuracy.
    ///
    /// Candidates are the midpoints between consecutive distinct scores, plus one below all
    /// scores and one above, so the optimum is exact rather than on a grid. When several
    /// candidates tie, the middle one is taken (the lower of the two middles for an even
    /// count), so that the choice does not lean towards accepting or rejecting.
    public static func bestThreshold(_ pairs: [ScoredPair]) -> (threshold: Float, accuracy: Double) {
        guard !pairs.isEmpty else { return (0, 0) }
        let sorted = pairs.sorted { $0.score < $1.score }
        let n = sorted.count
        // Accepting sorted[i...]: correct = genuine in sorted[i...] + impostors in sorted[..<i].
        var genuineAbove = sorted.count { $0.same }
        var impostorsBelow = 0
        var best = -1
        var tied: [Float] = []
        for i in 0...n {
            if i > 0 {
                if sorted[i - 1].same { genuineAbove -= 1 } else { impostorsBelow += 1 }
            }
            // Only a boundary between different scores is a threshold that can be realised.
            guard i == 0 || i == n || sorted[i - 1].score < sorted[i].score else { continue }
            let correct = genuineAbove + impostorsBelow
            let threshold: Float
            if i == 0 {
                threshold = sorted[0].score
            } else if i == n {
                threshold = sorted[n - 1].score.nextUp
            } else {
                let low = sorted[i - 1].score, high = sorted[i].score
                let middle = low + (high - low) / 2
                threshold = middle > low ? middle : high
            }
            if correct > best {
                best = correct
                tied = [threshold]
            } else if correct == best {
                tied.append(threshold)
            }
        }
        return (tied[(tied.count - 1) / 2], Double(best) / Double(n))
    }

    /// k-fold accuracy: for each fold, the threshold is chosen (``bestThreshold(_:)``) on the
    /// pairs of all other folds and applied to this fold's pairs.
    ///
    /// - Parameter folds: the fold of each pair, 0-based, parallel to `pairs`.
    /// - Returns: one result per fold present, in fold order.
    public static func kFold(_ pairs: [ScoredPair], folds: [Int]) -> [FoldResult] {
        precondition(pairs.count == folds.count, "one fold index per pair")
        let foldIDs = Set(folds).sorted()
        return foldIDs.map { fold in
            var train: [ScoredPair] = [], test: [ScoredPair] = []
            for (pair, f) in zip(pairs, folds) {
                if f == fold { test.append(pair) } else { train.append(pair) }
            }
            let threshold = bestThreshold(train).threshold
            return FoldResult(fold: fold + 1, pairs: test.count, threshold: threshold, accuracy: accuracy(test, threshold: threshold))
        }
    }

    /// Mean and population standard deviation (divided by n, as numpy's default and the LFW
    /// and CFP papers' tables use).
    public static func meanAndStandardDeviation(_ values: [Double]) -> (mean: Double, standardDeviation: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    /// The ROC curve from the strictest threshold (nothing accepted, (0, 0)) to the loosest
    /// (everything accepted, (1, 1)): one point per distinct score, thresholds descending.
    /// Rates are 0 when there are no genuine or no impostor pairs.
    public static func roc(_ pairs: [ScoredPair]) -> [ROCPoint] {
        let sorted = pairs.sorted { $0.score > $1.score }
        let genuine = Double(pairs.count { $0.same }), impostors = Double(pairs.count { !$0.same })
        func rate(_ count: Int, _ total: Double) -> Double { total > 0 ? Double(count) / total : 0 }
        var points = [ROCPoint(threshold: (sorted.first?.score ?? 0).nextUp, falseAcceptRate: 0, trueAcceptRate: 0)]
        var tp = 0, fp = 0, i = 0
        while i < sorted.count {
            let score = sorted[i].score
            while i < sorted.count, sorted[i].score == score {
                if sorted[i].same { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ROCPoint(threshold: score, falseAcceptRate: rate(fp, impostors), trueAcceptRate: rate(tp, genuine)))
        }
        return points
    }

    /// The true-accept rate at the lowest threshold whose false-accept rate is at most `target`.
    ///
    /// With N impostor pairs, at most ⌊target·N⌋ of them may be accepted; the threshold sits just
    /// above the next impostor's score. Impostors tied at that score are all rejected, so the
    /// reached rate may be below the target.
    public static func trueAcceptRate(_ pairs: [ScoredPair], atFalseAcceptRate target: Double) -> OperatingPoint {
        let impostorScores = pairs.filter { !$0.same }.map(\.score).sorted(by: >)
        let genuineScores = pairs.filter(\.same).map(\.score)
        // The small margin keeps 1e-3 × 3000 from flooring to 2 through rounding error.
        let allowed = Int((target * Double(impostorScores.count) + 1e-9).rounded(.down))
        let threshold: Float = allowed < impostorScores.count
            ? impostorScores[allowed].nextUp
            : (pairs.map(\.score).min() ?? 0)
        let falseAccepts = impostorScores.count { $0 >= threshold }
        let trueAccepts = genuineScores.count { $0 >= threshold }
        return OperatingPoint(
            targetFalseAcceptRate: target, threshold: threshold,
            falseAcceptRate: impostorScores.isEmpty ? 0 : Double(falseAccepts) / Double(impostorScores.count),
            trueAcceptRate: genuineScores.isEmpty ? 0 : Double(trueAccepts) / Double(genuineScores.count),
            impostors: impostorScores.count)
    }

    /// The equal error rate: where the false-accept rate meets the false-reject rate
    /// (1 − true-accept rate), linearly interpolated between the two ROC points around the
    /// crossing, with the threshold interpolated the same way.
    public static func equalErrorRate(_ pairs: [ScoredPair]) -> (rate: Double, threshold: Float) {
        let points = roc(pairs)
        guard points.count > 1 else { return (0, 0) }
        for i in 1..<points.count {
            let far = points[i].falseAcceptRate, frr = 1 - points[i].trueAcceptRate
            guard far >= frr else { continue }
            let previous = points[i - 1]
            let before = (1 - previous.trueAcceptRate) - previous.falseAcceptRate  // > 0
            let after = frr - far  // <= 0
            let t = before - after > 0 ? before / (before - after) : 1
            let rate = previous.falseAcceptRate + t * (far - previous.falseAcceptRate)
            // The first point's threshold is only "above everything"; use the crossing point's own.
            let threshold = i == 1 ? points[i].threshold
                : previous.threshold + Float(t) * (points[i].threshold - previous.threshold)
            return (rate, threshold)
        }
        return (points.last!.falseAcceptRate, points.last!.threshold)
    }

    /// Area under the ROC curve by the trapezoid rule; 0.5 is chance, 1 is perfect separation.
    public static func areaUnderCurve(_ points: [ROCPoint]) -> Double {
        guard points.count > 1 else { return 0 }
        var area = 0.0
        for i in 1..<points.count {
            let a = points[i - 1], b = points[i]
            area += (b.falseAcceptRate - a.falseAcceptRate) * (a.trueAcceptRate + b.trueAcceptRate) / 2
        }
        return area
    }

    /// Deterministic stratified folds for a pair list with no protocol of its own: the j-th
    /// genuine pair goes to fold j mod k, and so does the j-th impostor pair, in list order, so
    /// every fold gets its share of both kinds.
    public static func stratifiedFolds(_ same: [Bool], count k: Int) -> [Int] {
        var genuine = 0, impostor = 0
        return same.map { isSame in
            defer { if isSame { genuine += 1 } else { impostor += 1 } }
            return (isSame ? genuine : impostor) % max(k, 1)
        }
    }
}
