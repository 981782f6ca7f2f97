import Foundation

/// A linear head: multinomial logistic regression on standardised features, trained by
/// full-batch gradient descent with Nesterov momentum and an L2 penalty.
///
/// It is the probe that reads an attribute off a frozen embedding (FAb-Net, SFace) so that two
/// embeddings are compared with the same head, same settings, no tuning on the test split.
/// (Kept small on purpose: the shared `visage train-head` trainer can take its place.)
///
/// ```swift
/// let probe = LinearProbe.fit(features: train, labels: trainLabels, classes: 7)
/// let predicted = test.map(probe.predict)
/// ```
public struct LinearProbe: Sendable {
    /// Training settings; each states its default.
    public struct Configuration: Sendable, Hashable {
        /// L2 penalty on the weights, not the biases (default 1e-3).
        public var l2: Float = 1e-3
        /// Full-batch gradient steps (default 400).
        public var iterations = 400
        /// Step size on standardised features (default 0.5).
        public var learningRate: Float = 0.5
        /// Nesterov momentum (default 0.9).
        public var momentum: Float = 0.9

        public init() {}
    }

    public let classes: Int
    let mean: [Float]
    let scale: [Float]
    /// Row-major `classes × (dimension + 1)`; the last column is the bias.
    let weights: [Float]

    public static func fit(features: [[Float]], labels: [Int], classes: Int, configuration: Configuration = .init()) -> LinearProbe {
        precondition(!features.isEmpty && features.count == labels.count, "one label per feature vector")
        let n = features.count, d = features[0].count, stride = d + 1
        var mean = [Float](repeating: 0, count: d), variance = [Float](repeating: 0, count: d)
        for x in features { for j in 0..<d { mean[j] += x[j] } }
        for j in 0..<d { mean[j] /= Float(n) }
        for x in features { for j in 0..<d { variance[j] += (x[j] - mean[j]) * (x[j] - mean[j]) } }
        let scale = variance.map { 1 / max(($0 / Float(n)).squareRoot(), 1e-6) }
        // Standardised rows with a trailing 1 for the bias.
        var rows = [Float](repeating: 1, count: n * stride)
        for (i, x) in features.enumerated() { for j in 0..<d { rows[i * stride + j] = (x[j] - mean[j]) * scale[j] } }

        var w = [Float](repeating: 0, count: classes * stride)
        var velocity = w
        var ahead = w
        var gradient = w
        var probabilities = [Float](repeating: 0, count: classes)
        // Raw buffers in the inner loops: Array's checked subscripts made a debug build 10× slower.
        rows.withUnsafeBufferPointer { r in
            w.withUnsafeMutableBufferPointer { w in
                velocity.withUnsafeMutableBufferPointer { v in
                    ahead.withUnsafeMutableBufferPointer { a in
                        gradient.withUnsafeMutableBufferPointer { g in
                            probabilities.withUnsafeMutableBufferPointer { p in
                                for _ in 0..<configuration.iterations {
                                    // Gradient at the look-ahead point (Nesterov).
                                    for k in 0..<w.count { a[k] = w[k] + configuration.momentum * v[k]; g[k] = 0 }
                                    for i in 0..<n {
                                        let row = r.baseAddress! + i * stride
                                        var top = -Float.infinity
                                        for c in 0..<classes {
                                            let weights = a.baseAddress! + c * stride
                                            var z: Float = 0
                                            for j in 0..<stride { z += weights[j] * row[j] }
                                            p[c] = z
                                            top = max(top, z)
                                        }
                                        var total: Float = 0
                                        for c in 0..<classes { p[c] = expf(p[c] - top); total += p[c] }
                                        for c in 0..<classes {
                                            let error = p[c] / total - (labels[i] == c ? 1 : 0)
                                            let gradients = g.baseAddress! + c * stride
                                            for j in 0..<stride { gradients[j] += error * row[j] }
                                        }
                                    }
                                    for c in 0..<classes {
                                        for j in 0..<stride {
                                            let k = c * stride + j
                                            let penalty = j < d ? configuration.l2 * a[k] : 0
                                            v[k] = configuration.momentum * v[k] - configuration.learningRate * (g[k] / Float(n) + penalty)
                                            w[k] += v[k]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return LinearProbe(classes: classes, mean: mean, scale: scale, weights: w)
    }

    /// The class with the highest score.
    public func predict(_ features: [Float]) -> Int {
        let d = mean.count
        var best = 0, bestScore = -Float.infinity
        for c in 0..<classes {
            var z = weights[c * (d + 1) + d]
            for j in 0..<d { z += weights[c * (d + 1) + j] * (features[j] - mean[j]) * scale[j] }
            if z > bestScore { (best, bestScore) = (c, z) }
        }
        return best
    }
}
