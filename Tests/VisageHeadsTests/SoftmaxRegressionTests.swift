import VisageCore
import Foundation
import Testing
@testable import VisageHeads

/// The optimiser's mathematics on synthetic data, where the right answer is known.
struct SoftmaxRegressionTests {
    /// Three Gaussian blobs in 6-d, well apart: a seeded, reproducible separable problem.
    static func blobs(perClass: Int, seed: UInt64, spread: Float = 0.5) -> (rows: [[Float]], labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        let centres: [[Float]] = [[3, 0, 0, 1, 0, 0], [0, 3, 0, 0, 1, 0], [0, 0, 3, 0, 0, 1]]
        var rows: [[Float]] = []
        var labels: [Int] = []
        for (label, centre) in centres.enumerated() {
            for _ in 0..<perClass {
                rows.append(centre.map { $0 + spread * gaussian(&generator) })
                labels.append(label)
            }
        }
        return (rows, labels)
    }

    static func gaussian(_ generator: inout SeededGenerator) -> Float {
        let u = Float.random(in: Float.ulpOfOne..<1, using: &generator)
        let v = Float.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    @Test func separatesBlobsAndGeneralises() {
        let train = Self.blobs(perClass: 30, seed: 1)
        let test = Self.blobs(perClass: 100, seed: 2)
        let fit = SoftmaxRegression.fit(features: train.rows, labels: train.labels, classCount: 3)
        #expect(fit.converged)
        let correct = zip(test.rows, test.labels).count { fit.model.predict($0) == $1 }
        #expect(correct >= 297, "held-out accuracy \(correct)/300")
        for row in test.rows.prefix(10) {
            let p = fit.model.probabilities(row)
            #expect(abs(p.reduce(0, +) - 1) < 1e-5)
            #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    /// At the optimum the gradient vanishes: the weights of each feature, summed over examples
    /// of the residual (p - onehot) times the feature, balance the L2 pull. Checked through the
    /// predictions, independently of the optimiser's own gradient code.
    @Test func optimumSatisfiesTheStationarityCondition() {
        let data = Self.blobs(perClass: 20, seed: 3, spread: 2)  // overlapping: a non-trivial optimum
        let l2 = 0.1
        let model = SoftmaxRegression.fit(features: data.rows, labels: data.labels, classCount: 3,
                                          options: .init(l2: l2, balancesClasses: false)).model
        let n = Double(data.rows.count)
        for c in 0..<3 {
            var biasGradient = 0.0
            var weightGradient = [Double](repeating: 0, count: 6)
            for (row, label) in zip(data.rows, data.labels) {
                let residual = Double(model.probabilities(row)[c]) - (label == c ? 1 : 0)
                biasGradient += residual / n
                for j in 0..<6 { weightGradient[j] += residual * Double((row[j] - model.mean[j]) / model.scale[j]) / n }
            }
            #expect(abs(biasGradient) < 1e-4)
            for j in 0..<6 { #expect(abs(weightGradient[j] + l2 * Double(model.weights[c][j])) < 1e-4, "class \(c) feature \(j)") }
        }
    }

    @Test func strongerPenaltyGivesSmallerWeights() {
        let data = Self.blobs(perClass: 20, seed: 4)
        let norm = { (l2: Double) -> Float in
            SoftmaxRegression.fit(features: data.rows, labels: data.labels, classCount: 3, options: .init(l2: l2)).model.weights
                .joined().reduce(0) { $0 + $1 * $1 }
        }
        #expect(norm(1) < norm(0.01))
    }

    /// A 9:1 imbalanced, overlapping problem: balancing raises the rare class's recall.
    @Test func balancingHelpsTheRareClass() {
        var generator = SeededGenerator(seed: 5)
        var rows: [[Float]] = []
        var labels: [Int] = []
        for i in 0..<400 {
            let label = i % 10 == 0 ? 1 : 0
            rows.append([Float(label) * 1.0 + Self.gaussian(&generator), Self.gaussian(&generator)])
            labels.append(label)
        }
        let recall = { (balanced: Bool) -> Int in
            let model = SoftmaxRegression.fit(features: rows, labels: labels, classCount: 2, options: .init(l2: 0.01, balancesClasses: balanced)).model
            return zip(rows, labels).count { $1 == 1 && model.predict($0) == 1 }
        }
        #expect(recall(true) > recall(false) + 10)
    }

    @Test func sameDataGiveTheSameModel() {
        let data = Self.blobs(perClass: 15, seed: 6)
        let a = SoftmaxRegression.fit(features: data.rows, labels: data.labels, classCount: 3).model
        let b = SoftmaxRegression.fit(features: data.rows, labels: data.labels, classCount: 3).model
        #expect(a == b)
    }

    @Test func foldsAreStratifiedAndSeeded() {
        let labels = Array(repeating: 0, count: 50) + Array(repeating: 1, count: 10)
        let cv = CrossValidation(folds: 5, seed: 7)
        let folds = cv.assignFolds(labels: labels)
        #expect(folds == cv.assignFolds(labels: labels))
        #expect(folds != CrossValidation(folds: 5, seed: 8).assignFolds(labels: labels))
        for f in 0..<5 {
            #expect(labels.indices.count { folds[$0] == f && labels[$0] == 0 } == 10)
            #expect(labels.indices.count { folds[$0] == f && labels[$0] == 1 } == 2)
        }
    }

    @Test func crossValidationFiguresOnBlobs() {
        let data = Self.blobs(perClass: 20, seed: 9)
        let result = CrossValidation(folds: 5, seed: 1).run(features: data.rows, labels: data.labels, classCount: 3, options: .init())
        #expect(result.accuracy >= 0.95)
        #expect(abs(result.majorityBaseline - 1.0 / 3) < 1e-9)
        let constant = CrossValidationResult(labels: [0, 0, 0, 1], predicted: [0, 0, 0, 0], classCount: 2, folds: 2)
        #expect(constant.accuracy == 0.75 && constant.balancedAccuracy == 0.5 && constant.majorityBaseline == 0.75)
    }
}
