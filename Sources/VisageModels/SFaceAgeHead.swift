public import VisageRuntime

/// Apparent age from SFace's feature map: `age-sface-head.onnx`, a head that we trained
/// (recipe `training/bn1-heads/`, card `docs/models/age-sface-head.md`) on SFace's `bn1` map of
/// the pipeline's aligned crops of UTKFace's training part (research use only). It replaces the
/// package's `age-v1.onnx`: SFace runs on every face anyway, so age costs one small product
/// instead of a second CNN and a second alignment.
///
/// Input contract: SFace's feature map of the face's ArcFace-aligned crop, from
/// ``SFaceEmbedder/run(_:featureMaps:)``: input `bn1` N×1024×7×7, output `age` N×1 in years.
/// The graph pools the map (see the card) and applies the fitted head.
///
/// ```swift
/// let runtime = try OnnxRuntime.shared(.init())
/// let sface = try SFaceEmbedder(runtime: runtime), head = try SFaceAgeHead(runtime: runtime)
/// let maps = try sface.run([crop], featureMaps: true).featureMaps!
/// print(try head.estimate(featureMaps: maps)[0])   // e.g. 31.4
/// ```
public struct SFaceAgeHead: Sendable {
    public static let contract = FeatureMapHead.contract(name: "age head on SFace features", fileName: "age-sface-head.onnx",
                                                         output: "age", width: 1)

    /// Ours, the default age model (docs/models/age-sface-head.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "apparent age (the default age model)",
        origin: "ours: training/bn1-heads/ (ridge regression on SFace's feature map)",
        licence: "non-commercial research (UTKFace's terms)", trainingData: "UTKFace training part (non-commercial research only)",
        use: .researchOnly, document: "docs/models/age-sface-head.md",
        installedSHA256: "671eda3e4f1127cf23e1bad98ada8e18bad6081dce3b5a296963c01085de84cf"
    )

    private let head: FeatureMapHead

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { head.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        head = try FeatureMapHead(Self.contract, directory: directory, runtime: runtime)
    }

    /// Age in years (never below 0) for each face of an N×1024×7×7 batch of SFace feature maps.
    public func estimate(featureMaps: Tensor) throws -> [Float] {
        try head.run(featureMaps).map { max(0, $0[$0.startIndex]) }
    }
}
