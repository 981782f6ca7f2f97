public import VisageCore
public import VisageRuntime

/// FAb-Net encoder: our own 256-d facial-attribute embedding, learned without labels from the
/// face tracks of 97 talking-face clips (`training/fabnet/`, card `docs/models/fabnet-encoder.md`).
/// SFace's early layers (frozen, up to `conv_6`) feed a small top trained by FAb-Net's
/// self-supervised warping task. Unlike SFace's identity embedding, it is meant to hold what
/// changes in one person's face (pose, expression); read attributes off it with a linear head.
///
/// Preprocessing contract: the 112×112 crop aligned to ``FaceAlignment/arcFaceTemplate``, the
/// one SFace takes (``SFaceEmbedder/crop(of:landmarks:)``), RGB, raw 0–255: the graph normalises as SFace does. Outputs are returned as
/// the graph gives them (not normalised).
public struct FabNetEncoder: Sendable {
    public static let contract = ModelContract(
        name: "FAb-Net encoder", fileName: "fabnet-encoder.onnx",
        input: .init("image", [nil, 3, 112, 112]), outputs: [.init("embedding", [nil, 256])],
        encoding: .rawRGB,
        // Not shipped yet (no run has learned more than the untrained baseline), so set-up cannot install it.
        missingHint: "`make setup` does not install it: train one with training/fabnet/ (see its README and docs/models/fabnet-encoder.md) and copy its fabnet-encoder.onnx there."
    )

    /// Ours and not shipped: set-up does not install it (docs/models/fabnet-encoder.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "256-d attribute embedding learned from video (embed --model fabnet)",
        origin: "ours: training/fabnet/ (SFace's early layers frozen, a trained top); not shipped",
        licence: "research use (its clips' terms)", trainingData: "the 97 shared talking-face clips (research use)",
        use: .researchOnly, document: "docs/models/fabnet-encoder.md", installedSHA256: nil, isOptIn: true
    )
    public static let inputSize = 112
    public static let dimension = 256

    private let session: InferenceSession

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    public var statistics: RunStatistics { session.statistics }

    /// Embeds ArcFace-aligned crops (any square size, normally 112×112) in one batch.
    public func embed(_ alignedCrops: [Image]) throws -> [[Float]] {
        guard !alignedCrops.isEmpty else { return [] }
        let crops = alignedCrops.map { $0.resized(width: Self.inputSize, height: Self.inputSize) }
        let input = try Self.contract.tensor(of: crops, size: Self.inputSize)
        guard let output = try session.run(["image": input])["embedding"], output.values.count == crops.count * Self.dimension else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "embedding does not hold \(crops.count)×\(Self.dimension) values")
        }
        return (0..<crops.count).map { Array(output.values[($0 * Self.dimension)..<(($0 + 1) * Self.dimension)]) }
    }
}
