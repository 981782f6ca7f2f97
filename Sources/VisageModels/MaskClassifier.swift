public import VisageRuntime

/// The two labels of the face-mask model, in its output order.
public enum MaskLabel: String, Sendable, Codable, Hashable, CaseIterable {
    case withMask = "with_mask"
    case withoutMask = "without_mask"
}

/// Whether a face wears a mask: the more likely label and its probability.
public struct MaskEstimate: Sendable, Hashable, Codable {
    public var label: MaskLabel
    public var score: Float

    public init(label: MaskLabel, score: Float) {
        self.label = label
        self.score = score
    }

    /// True when the face is classified as wearing a mask.
    public var isMasked: Bool { label == .withMask }
}

/// Face-mask classifier: `mask-classifier.onnx`, a linear head that we trained (recipe
/// `training/mask/train_linear.py`, card `docs/models/mask-classifier.md`) on SFace's `bn1`
/// feature map of the aligned crops of the MIT-licensed Face-Mask-Detection photos.
///
/// Input contract: not pixels but SFace's feature map of the face's ArcFace-aligned crop, from
/// ``SFaceEmbedder/run(_:featureMaps:)``: input `bn1` N×1024×7×7, output `probs` N×2 softmax
/// probabilities ordered [with_mask, without_mask]. The graph averages each map over its columns
/// (keeping the rows: where along the face, mouth or eyes) and applies one linear layer.
///
/// ```swift
/// let runtime = try OnnxRuntime.shared(.init())
/// let sface = try SFaceEmbedder(runtime: runtime), classifier = try MaskClassifier(runtime: runtime)
/// let crop = FaceAlignment.arcFaceCrop(of: image, landmarks: detection.landmarks)!.crop
/// let maps = try sface.run([crop], featureMaps: true).featureMaps!
/// print(try classifier.classify(featureMaps: maps)[0].label)   // e.g. .withMask
/// ```
public struct MaskClassifier: Sendable {
    public static let contract = FeatureMapHead.contract(name: "mask classifier", fileName: "mask-classifier.onnx",
                                                         output: "probs", width: MaskLabel.allCases.count)

    /// Ours, trained on SFace's feature map (docs/models/mask-classifier.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "mask or not (a linear head on SFace's feature map)",
        origin: "ours: training/mask/train_linear.py", licence: "MIT (the photos' repository)",
        trainingData: "masks/ of chandrikadeb7/Face-Mask-Detection: photos gathered from the web, rights not cleared",
        use: .checkTrainingData, document: "docs/models/mask-classifier.md",
        installedSHA256: "9e416fe74977446b0b1f0a57f6dd43f2ba56985313f595bd278ce335b4d98f4a"
    )

    private let head: FeatureMapHead

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { head.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        head = try FeatureMapHead(Self.contract, directory: directory, runtime: runtime)
    }

    /// Mask or not for each face of an N×1024×7×7 batch of SFace feature maps.
    public func classify(featureMaps: Tensor) throws -> [MaskEstimate] {
        try head.run(featureMaps).map { p in
            let masked = p[p.startIndex], bare = p[p.startIndex + 1]
            return masked >= bare ? MaskEstimate(label: .withMask, score: masked) : MaskEstimate(label: .withoutMask, score: bare)
        }
    }
}
