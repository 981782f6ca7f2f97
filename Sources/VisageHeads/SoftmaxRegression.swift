import Foundation

/// A multinomial logistic-regression classifier on standardised features: the model behind
/// every custom head.
///
/// ```swift
/// let fit = SoftmaxRegression.fit(features: rows, labels: labels, classCount: 2, options: .init(l2: 0.01))
/// let probabilities = fit.model.probabilities(row)   // sums to 1
/// ```
///
/// Training minimises the (optionally class-balanced) mean cross-entropy plus `l2 / 2 · ‖W‖²`
/// (the biases are not penalised) with ``LBFGS``; the objective is convex, so the result does
/// not depend on a starting point or a seed.
public struct SoftmaxRegression: Sendable, Codable, Equatable {
    /// Per-feature mean and standard deviation of the training rows; rows are standardised
    /// with them before the weights apply (a feature that never varied gets scale 1).
    public var mean: [Float]
    public var scale: [Float]
    /// One row of weights per class, over the standardised features.
    public var weights: [[Float]]
    public var bias: [Float]

    public var classCount: Int { bias.count }
    public var featureCount: Int { mean.count }

    /// Training settings; each states its default.
    public struct Options: Sendable, Hashable, Codable {
        /// L2 penalty on the weights (per unit of mean loss); default 0.01.
        public var l2: Double
        /// Weigh each class by `n / (classes · n_class)` so that a rare class counts as much as
        /// a common one; default true.
        public var balancesClasses: Bool

        public init(l2: Double = 0.01, balancesClasses: Bool = true) {
            self.l2 = l2
            self.balancesClasses = balancesClasses
        }
    }

    /// A trained model with how the optimiser ended.
    public struct Fit: Sendable {
        public var model: SoftmaxRegression
        public var iterations: Int
        public var converged: Bool
        /// The objective at the optimum (weighted mean cross-entropy plus penalty).
        public var loss: Double
    }

    public init(mean: [Float], scale: [Float], weights: [[Float]], bias: [Float]) {
        self.mean = mean
        self.scale = scale
        self.weights = weights
        self.bias = bias
    }

    /// Trains on `features` (one row per example, all the same length) and `labels` in
    /// `0..<classCount`. A class with no example simply gets a low bias.
    public static func fit(features: [[Float]], labels: [Int], classCount: Int, options: Options = .init()) -> Fit {
        precondition(features.count == labels.count && !features.isEmpty, "one label per row, at least one row")
        let n = features.count
        let d = features[0].count
        let k = classCount
        var mean = [Double](repeating: 0, count: d)
        for row in features { for j in 0..<d { mean[j] += Double(row[j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var variance = [Double](repeating: 0, count: d)
        for row in features { for j in 0..<d { let c = Double(row[j]) - mean[j]; variance[j] += c * c } }
        let scale = variance.map { v -> Double in let s = (v / Double(n)).squareRoot(); return s > 1e-12 ? s : 1 }
        var x = [Double](repeating: 0, count: n * d)
        for (i, row) in features.enumerated() { for j in 0..<d { x[i * d + j] = (Double(row[j]) - mean[j]) / scale[j] } }

        var counts = [Int](repeating: 0, count: k)
        for label in labels { counts[label] += 1 }
        let presentClasses = Double(counts.count { $0 > 0 })
        let sampleWeights = labels.map { options.balancesClasses ? Double(n) / (presentClasses * Double(counts[$0])) : 1 }
        let totalWeight = sampleWeights.reduce(0, +)
        let l2 = options.l2

        // Parameters: k rows of d weights, then k biases. Raw buffers in the inner loops: this
        // runs thousands of times per cross-validation, and unchecked access keeps it fast
        // even in debug builds.
        let objective = { (theta: [Double], gradient: inout [Double]) -> Double in
            var loss = 0.0
            var logits = [Double](repeating: 0, count: k)
            theta.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    x.withUnsafeBufferPointer { x in
                        for j in 0..<g.count { g[j] = 0 }
                        for i in 0..<n {
                            let row = x.baseAddress! + i * d
                            for c in 0..<k {
                                var z = t[k * d + c]
                                let w = t.baseAddress! + c * d
                                for j in 0..<d { z += w[j] * row[j] }
                                logits[c] = z
                            }
                            let top = logits.max()!
                            var sum = 0.0
                            for c in 0..<k { logits[c] = exp(logits[c] - top); sum += logits[c] }
                            let weight = sampleWeights[i] / totalWeight
                            loss -= weight * log(max(logits[labels[i]] / sum, 1e-300))
                            for c in 0..<k {
                                let residual = weight * (logits[c] / sum - (c == labels[i] ? 1 : 0))
                                g[k * d + c] += residual
                                let gw = g.baseAddress! + c * d
                                for j in 0..<d { gw[j] += residual * row[j] }
                            }
                        }
                        for j in 0..<(k * d) {
                            loss += 0.5 * l2 * t[j] * t[j]
                            g[j] += l2 * t[j]
                        }
                    }
                }
            }
            return loss
        }
        let result = LBFGS().minimize(from: [Double](repeating: 0, count: k * (d + 1)), objective)
        let theta = result.parameters
        let model = SoftmaxRegression(
            mean: mean.map(Float.init), scale: scale.map(Float.init),
            weights: (0..<k).map { c in (0..<d).map { Float(theta[c * d + $0]) } },
            bias: (0..<k).map { Float(theta[k * d + $0]) })
        return Fit(model: model, iterations: result.iterations, converged: result.converged, loss: result.value)
    }

    /// Each class's probability for one row of features (same length as the training rows).
    public func probabilities(_ row: [Float]) -> [Float] {
        precondition(row.count == featureCount, "expected \(featureCount) features, got \(row.count)")
        var logits = bias
        for c in 0..<classCount {
            var z: Float = 0
            for j in 0..<featureCount { z += weights[c][j] * (row[j] - mean[j]) / scale[j] }
            logits[c] += z
        }
        let top = logits.max()!
        let exps = logits.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// The most probable class of one row.
    public func predict(_ row: [Float]) -> Int {
        let p = probabilities(row)
        return p.indices.max { p[$0] < p[$1] }!
    }
}
