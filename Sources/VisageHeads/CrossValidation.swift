import VisageCore

/// Stratified k-fold cross-validation of ``SoftmaxRegression``: every example is predicted once
/// by a model that never saw it.
///
/// ```swift
/// let result = CrossValidation(folds: 5, seed: 1).run(features: rows, labels: labels, classCount: 2, options: .init())
/// print(result.accuracy, result.balancedAccuracy)
/// ```
public struct CrossValidation: Sendable, Hashable {
    /// Number of folds; default 5 (fewer when there are fewer examples than folds).
    public var folds: Int
    /// Seed of the shuffle that deals each class's examples into folds; default 1.
    public var seed: UInt64

    public init(folds: Int = 5, seed: UInt64 = 1) {
        self.folds = folds
        self.seed = seed
    }

    /// The fold of each example: each class's examples, shuffled with the seed, are dealt
    /// round-robin so every fold has the classes in about the same proportions.
    public func assignFolds(labels: [Int]) -> [Int] {
        let k = max(1, min(folds, labels.count))
        var generator = SeededGenerator(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        var next = 0  // carries on across classes so that small classes do not all start at fold 0
        for label in Set(labels).sorted() {
            var members = labels.indices.filter { labels[$0] == label }
            members.shuffle(using: &generator)
            for index in members {
                fold[index] = next % k
                next += 1
            }
        }
        return fold
    }

    /// Trains `folds` models, each on all folds but one, and predicts the one left out.
    public func run(features: [[Float]], labels: [Int], classCount: Int, options: SoftmaxRegression.Options) -> CrossValidationResult {
        let fold = assignFolds(labels: labels)
        var predicted = [Int](repeating: 0, count: labels.count)
        for f in Set(fold).sorted() {
            let train = labels.indices.filter { fold[$0] != f }
            let test = labels.indices.filter { fold[$0] == f }
            guard !train.isEmpty else { continue }
            let model = SoftmaxRegression.fit(features: train.map { features[$0] }, labels: train.map { labels[$0] },
                                              classCount: classCount, options: options).model
            for i in test { predicted[i] = model.predict(features[i]) }
        }
        return CrossValidationResult(labels: labels, predicted: predicted, classCount: classCount, folds: Set(fold).count)
    }
}

/// Held-out predictions of a cross-validation and the figures drawn from them.
public struct CrossValidationResult: Sendable {
    public var labels: [Int]
    /// Each example's class as predicted by the model that did not train on it.
    public var predicted: [Int]
    public var classCount: Int
    public var folds: Int

    public init(labels: [Int], predicted: [Int], classCount: Int, folds: Int) {
        self.labels = labels
        self.predicted = predicted
        self.classCount = classCount
        self.folds = folds
    }

    public var accuracy: Double {
        Double(zip(labels, predicted).count { $0 == $1 }) / Double(max(labels.count, 1))
    }

    /// Each class's recall (nil for a class with no example).
    public var recalls: [Double?] {
        (0..<classCount).map { c in
            let members = labels.indices.filter { labels[$0] == c }
            return members.isEmpty ? nil : Double(members.count { predicted[$0] == c }) / Double(members.count)
        }
    }

    /// Mean recall over the classes present: 1/classes for a constant guess, whatever the balance.
    public var balancedAccuracy: Double {
        let present = recalls.compactMap { $0 }
        return present.reduce(0, +) / Double(max(present.count, 1))
    }

    /// Accuracy of always answering the commonest class: the floor a useful head must beat.
    public var majorityBaseline: Double {
        let counts = (0..<classCount).map { c in labels.count { $0 == c } }
        return Double(counts.max() ?? 0) / Double(max(labels.count, 1))
    }
}
