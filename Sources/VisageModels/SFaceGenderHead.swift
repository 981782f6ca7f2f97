public import VisageRuntime

/// Apparent gender from SFace's feature map: `gender-sface-head.onnx`, a head that we trained
/// (recipe `training/bn1-heads/`, card `docs/models/gender-sface-head.md`) on SFace's `bn1` map
/// of the pipeline's aligned crops of UTKFace's training part (research use only). It replaces
/// the package's `gender-v1.onnx`. Like that model it reads appearance; it does not know
/// anyone's gender.
///
/// Input contract: SFace's feature map of the face's ArcFace-aligned crop, from
/// ``SFaceEmbedder/run(_:featureMaps:)``: input `bn1` N×1024×7×7, output `probs` N×2 softmax
/// probabilities ordered [female, male] (the package model's order).
///
/// ```swift
/// let maps = try sface.run([crop], featureMaps: true).featureMaps!
/// print(try SFaceGenderHead(runtime: runtime).classify(featureMaps: maps)[0].label)   // e.g. .female
/// ```
public struct SFaceGenderHead: Sendable {
    public static let contract = FeatureMapHead.contract(name: "gender head on SFace features", fileName: "gender-sface-head.onnx",
                                                         output: "probs", width: 2)

    /// Ours, the default gender model (docs/models/gender-sface-head.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "apparent gender (the default gender model)",
        origin: "ours: training/bn1-heads/ (ridge classifier on SFace's feature map)",
        licence: "non-commercial research (UTKFace's terms)", trainingData: "UTKFace training part (non-commercial research only)",
        use: .researchOnly, document: "docs/models/gender-sface-head.md",
        installedSHA256: "a7e5aa5efa6f6359ff020c6dd10632a6433b49439c65ee5f4fef70b0ca3efcb3"
    )

    private let head: FeatureMapHead

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { head.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        head = try FeatureMapHead(Self.contract, directory: directory, runtime: runtime)
    }

    /// Female or male for each face of an N×1024×7×7 batch of SFace feature maps.
    public func classify(featureMaps: Tensor) throws -> [GenderEstimate] {
        try head.run(featureMaps).map { p in
            let female = p[p.startIndex], male = p[p.startIndex + 1]
            return male >= female ? GenderEstimate(label: .male, score: male) : GenderEstimate(label: .female, score: female)
        }
    }
}
