import VisageCore
public import VisageRuntime

/// Facial expression from SFace's feature map: `expression-sface-head.onnx`, a head that we
/// trained (recipe `training/bn1-heads/`, card `docs/models/expression-sface-head.md`) on
/// SFace's `bn1` map of FER2013's training images (research use only), each 48×48 grey crop
/// resized to SFace's 112×112 input as `visage eval expression` does. It reads a posed or
/// apparent expression, not what anyone feels.
///
/// Input contract: SFace's feature map from ``SFaceEmbedder/run(_:featureMaps:)``: input `bn1`
/// N×1024×7×7, output `probs` N×7 softmax probabilities in ``ExpressionLabel/allCases`` order.
///
/// ```swift
/// let maps = try sface.run([crop], featureMaps: true).featureMaps!
/// print(try SFaceExpressionHead(runtime: runtime).classify(featureMaps: maps)[0].label)   // e.g. .happy
/// ```
public struct SFaceExpressionHead: Sendable {
    public static let contract = ModelContract(
        name: "expression head on SFace features", fileName: "expression-sface-head.onnx",
        input: .init("bn1", [nil] + SFaceEmbedder.featureMapShape.map { $0 }),
        outputs: [.init("probs", [nil, ExpressionLabel.allCases.count])],
        // Unused: the input is a feature map, not an image.
        channelOrder: .rgb, mean: (0, 0, 0), scale: (1, 1, 1)
    )

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// The expression of each face of an N×1024×7×7 batch of SFace feature maps.
    public func classify(featureMaps: Tensor) throws -> [ExpressionEstimate] {
        let count = featureMaps.shape.first ?? 0, classes = ExpressionLabel.allCases.count
        guard count > 0 else { return [] }
        guard let p = try session.run(["bn1": featureMaps])["probs"], p.values.count == count * classes else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "probs do not hold \(count)×\(classes) values")
        }
        return (0..<count).map { i in
            let scores = Array(p.values[(i * classes)..<((i + 1) * classes)])
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            return ExpressionEstimate(label: ExpressionLabel.allCases[best], scores: scores)
        }
    }
}
