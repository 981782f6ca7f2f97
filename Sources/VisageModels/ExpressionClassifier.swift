public import VisageCore
public import VisageRuntime

/// The seven FER2013 expression labels, in the model's output order.
public enum ExpressionLabel: String, Sendable, Codable, Hashable, CaseIterable {
    case angry, disgust, fear, happy, neutral, sad, surprise
}

/// An expression estimate: the most likely label and the probability of every label.
///
/// It reads a posed or apparent facial expression, not what anyone feels.
public struct ExpressionEstimate: Sendable, Hashable, Codable {
    public var label: ExpressionLabel
    /// Probabilities in ``ExpressionLabel/allCases`` order; they sum to 1.
    public var scores: [Float]

    public init(label: ExpressionLabel, scores: [Float]) {
        self.label = label
        self.scores = scores
    }

    /// Probability of the winning label.
    public var score: Float { scores[ExpressionLabel.allCases.firstIndex(of: label)!] }

    /// Probability of any label.
    public func score(for label: ExpressionLabel) -> Float {
        scores[ExpressionLabel.allCases.firstIndex(of: label)!]
    }
}

/// Expression classifier: `expression-fer2013.onnx`, trained by us on FER2013 (research use
/// only; see `docs/models/expression-fer2013.md`): 69.2% on FER2013 PublicTest.
///
/// Preprocessing contract: a 48×48 chip aligned to ``chipTemplate`` (the mean position of the
/// detector's five landmarks in FER2013's own crops; ``chip(of:landmarks:)``), given in colour
/// and converted to grey by the contract's ``InputEncoding/luma`` (BT.601: 0.299 R + 0.587 G +
/// 0.114 B, as FER2013's and Pillow's grey), values 0–255 with no other scaling: the graph
/// normalises. Input `input` N×1×48×48, output `probs` N×7 softmax
/// probabilities already averaged over the chip and its mirror image (folded into the graph).
///
/// ```swift
/// let classifier = try ExpressionClassifier(runtime: try OnnxRuntime.shared(.init()))
/// let chip = ExpressionClassifier.chip(of: image, landmarks: detection.landmarks)!
/// print(try classifier.classify([chip])[0].label)   // e.g. .happy
/// ```
public struct ExpressionClassifier: Sendable {
    public static let contract = ModelContract(
        name: "expression classifier", fileName: "expression-fer2013.onnx",
        input: .init("input", [nil, 1, chipSize, chipSize]), outputs: [.init("probs", [nil, ExpressionLabel.allCases.count])],
        encoding: .luma
    )

    /// Ours, trained on FER2013 (docs/models/expression-fer2013.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "facial expression, 7 classes",
        origin: "ours: training/expression/ (PyTorch, no pretrained weights)", licence: "research use (FER2013's terms)",
        trainingData: "FER2013 training split (research use only)", use: .researchOnly,
        document: "docs/models/expression-fer2013.md",
        installedSHA256: "18338d25e91796195903b8717cf29c743d7f584777a5ba9d739fa99003939532"
    )
    public static let chipSize = 48

    /// Where YuNet puts the five landmarks in FER2013's 48×48 crops: the mean over 364 of 400
    /// PublicTest images (upscaled 4× and padded so the detector fires), made left-right
    /// symmetric about x = 24. FER faces are tight: the eyes are 16.5 px apart at 48 px, where
    /// the ArcFace template scaled to 48 px has 15.1. Re-aligning those 364 faces onto it kept
    /// the model's accuracy (66.2% against 66.5% on the original crops).
    public static let chipTemplate: [Point] = [
        Point(x: 15.76, y: 18.05), Point(x: 32.24, y: 18.05), Point(x: 24.0, y: 28.03),
        Point(x: 17.35, y: 35.32), Point(x: 30.65, y: 35.32),
    ]

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// The 48×48 chip for a face: its five landmarks warped onto ``chipTemplate``.
    ///
    /// Faces in photos are usually several times larger than 48 px, and point-sampling them
    /// down would alias (FER2013's crops are smooth downscales), so the warp runs at an integer
    /// multiple of 48 px and is then box-averaged. Nil when the landmarks are degenerate.
    public static func chip(of image: Image, landmarks: [Point]) -> Image? {
        guard landmarks.count == chipTemplate.count,
              let transform = AffineTransform.similarity(from: landmarks, to: chipTemplate) else { return nil }
        let factor = max(1, min(8, Int((1 / max(transform.scale, 1e-6)).rounded(.down))))
        if factor == 1 { return image.warped(by: transform, width: chipSize, height: chipSize) }
        let k = Float(factor)
        let big = image.warped(
            by: AffineTransform(a: transform.a * k, b: transform.b * k, tx: transform.tx * k + (k - 1) / 2,
                                c: transform.c * k, d: transform.d * k, ty: transform.ty * k + (k - 1) / 2),
            width: chipSize * factor, height: chipSize * factor)
        return big.boxDownsampled(by: factor)
    }

    /// Expression of each 48×48 chip (``chip(of:landmarks:)``), given in colour: the contract's
    /// luma encoding turns it grey.
    public func classify(_ chips: [Image]) throws -> [ExpressionEstimate] {
        guard !chips.isEmpty else { return [] }
        let k = ExpressionLabel.allCases.count
        let input = try Self.contract.tensor(of: chips, size: Self.chipSize)
        guard let p = try session.run(["input": input])["probs"], p.values.count == chips.count * k else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "probs do not hold \(chips.count)×\(k) values")
        }
        return (0..<chips.count).map { i in
            let scores = Array(p.values[(i * k)..<((i + 1) * k)])
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            return ExpressionEstimate(label: ExpressionLabel.allCases[best], scores: scores)
        }
    }
}
