public import VisageCore
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

/// Face-mask classifier: `mask-classifier.onnx`, trained by us (recipe `training/mask/`, card
/// `docs/models/mask-classifier.md`) on the aligned crops of the MIT-licensed
/// Face-Mask-Detection photos.
///
/// Preprocessing contract: the 112×112 crop aligned to ``FaceAlignment/arcFaceTemplate`` (the
/// same crop SFace reads), RGB, values 0–255 with no other scaling: the graph normalises.
/// Input `input` N×3×112×112, output `probs` N×2 softmax probabilities ordered
/// [with_mask, without_mask], already averaged over the crop and its mirror image.
///
/// ```swift
/// let classifier = try MaskClassifier(runtime: try OnnxRuntime.shared(.init()))
/// let crop = FaceAlignment.arcFaceCrop(of: image, landmarks: detection.landmarks)!.crop
/// print(try classifier.classify([crop])[0].label)   // e.g. .withMask
/// ```
public struct MaskClassifier: Sendable {
    public static let contract = ModelContract(
        name: "mask classifier", fileName: "mask-classifier.onnx",
        input: .init("input", [nil, 3, inputSize, inputSize]), outputs: [.init("probs", [nil, MaskLabel.allCases.count])],
        channelOrder: .rgb, mean: (0, 0, 0), scale: (1, 1, 1)
    )
    public static let inputSize = 112

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// Mask or not for each 112×112 ArcFace-aligned crop.
    public func classify(_ crops: [Image]) throws -> [MaskEstimate] {
        guard !crops.isEmpty else { return [] }
        let input = try Tensor.batch(crops, size: Self.inputSize, contract: Self.contract)
        guard let p = try session.run(["input": input])["probs"], p.values.count == crops.count * 2 else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "probs do not hold \(crops.count)×2 values")
        }
        return (0..<crops.count).map { i in
            let masked = p.values[2 * i], bare = p.values[2 * i + 1]
            return masked >= bare ? MaskEstimate(label: .withMask, score: masked) : MaskEstimate(label: .withoutMask, score: bare)
        }
    }
}
