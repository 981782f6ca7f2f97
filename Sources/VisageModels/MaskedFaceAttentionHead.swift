import VisageCore
public import VisageRuntime

/// Where the attention head looked on one face: three 7×7 maps over the ArcFace-aligned crop
/// (each cell 16×16 pixels of the 112×112 crop), row-major, summing to 1 at every cell.
public struct FaceAttention: Sendable, Hashable, Codable {
    /// Cells per side of each map.
    public static let grid = 7

    /// Cells the head takes for the mask (near 1 over a mask's mouth and chin, near 0 on bare faces).
    public var maskedRegion: [Float]
    /// Cells the head takes for visible face: the embedding reads only these.
    public var visibleFace: [Float]
    /// Cells the head takes for background (it learned to leave this branch nearly empty).
    public var background: [Float]

    public init(maskedRegion: [Float], visibleFace: [Float], background: [Float]) {
        self.maskedRegion = maskedRegion
        self.visibleFace = visibleFace
        self.background = background
    }
}

/// Masked-face attention head (after Multi-Focal Spatial Attention): `mfsa-attention-head.onnx`,
/// trained by us (recipe `training/mfsa/`, card `docs/models/mfsa-attention-head.md`) on CFP
/// identities 001–400 with synthetic masks mixed in at a ratio of 0.7.
///
/// Input contract: SFace's `bn1` feature map of the face's ArcFace-aligned crop (from
/// ``SFaceEmbedder/run(_:featureMaps:)``), input `features` N×1024×7×7. Outputs `embedding`
/// N×128, L2-normalised (the visible-face map weights the feature map before a fine-tuned copy
/// of SFace's embedding layer), and `attention` N×3×7×7 (masked region, visible face,
/// background; a softmax across the three at each cell).
///
/// Its embedding is a space of its own, not SFace's: compare it only with another face's
/// attention embedding, never with an SFace embedding.
public struct MaskedFaceAttentionHead: Sendable {
    public static let contract = ModelContract(
        name: "masked-face attention head", fileName: "mfsa-attention-head.onnx",
        input: .init("features", [nil] + SFaceEmbedder.featureMapShape.map { $0 }),
        outputs: [.init("embedding", [nil, dimension]), .init("attention", [nil, 3, FaceAttention.grid, FaceAttention.grid])],
        encoding: .sfaceFeatureMap
    )

    /// Ours, trained on CFP identities 001–400 (docs/models/mfsa-attention-head.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "compares faces when either wears a mask (attention over the visible face)",
        origin: "ours: training/mfsa/ (SFace's embedding layer fine-tuned with an attention head)",
        licence: "research use (CFP's terms)", trainingData: "CFP identities 001–400 with rendered masks (research use only)",
        use: .researchOnly, document: "docs/models/mfsa-attention-head.md",
        installedSHA256: "cf42f56141fe56e67962376cbbadd7720ac30d8805aca488da644f65ec51f8bc"
    )
    public static let dimension = 128

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// The embedding and attention maps of each face of an N×1024×7×7 batch of SFace feature maps.
    public func embed(featureMaps: Tensor) throws -> [(embedding: [Float], attention: FaceAttention)] {
        let count = featureMaps.shape.first ?? 0
        guard count > 0 else { return [] }
        let outputs = try session.run(["features": featureMaps])
        let cells = FaceAttention.grid * FaceAttention.grid
        guard let embeddings = outputs["embedding"], embeddings.values.count == count * Self.dimension,
              let maps = outputs["attention"], maps.values.count == count * 3 * cells else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "embedding or attention do not hold \(count) faces")
        }
        return (0..<count).map { i in
            let map = { (branch: Int) in Array(maps.values[((3 * i + branch) * cells)..<((3 * i + branch + 1) * cells)]) }
            let embedding = Array(embeddings.values[(i * Self.dimension)..<((i + 1) * Self.dimension)])
            return (embedding, FaceAttention(maskedRegion: map(0), visibleFace: map(1), background: map(2)))
        }
    }
}
