/// Accuracy, per-class recall and the confusion matrix of a single-label classifier.
///
/// ```swift
/// let m = ClassificationMetrics(truth: [0, 1, 1], predicted: [0, 1, 0], classes: 2)
/// m.accuracy        // 2/3
/// m.recall(of: 1)   // 1/2
/// ```
public struct ClassificationMetrics: Sendable, Hashable, Codable {
    /// `confusion[truth][predicted]` counts.
    public var confusion: [[Int]]

    public init(truth: [Int], predicted: [Int], classes: Int) {
        precondition(truth.count == predicted.count, "one prediction per sample")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) where (0..<classes).contains(t) && (0..<classes).contains(p) {
            confusion[t][p] += 1
        }
        self.confusion = confusion
    }

    public var total: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    public var accuracy: Double {
        let correct = confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
        return total > 0 ? Double(correct) / Double(total) : 0
    }

    /// Correct / samples of `label`; 0 when the class has no samples.
    public func recall(of label: Int) -> Double {
        let row = confusion[label].reduce(0, +)
        return row > 0 ? Double(confusion[label][label]) / Double(row) : 0
    }
}
