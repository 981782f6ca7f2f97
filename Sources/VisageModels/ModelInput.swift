public import VisageCore
import VisageRuntime

/// How a model's input tensor is made, as its ``ModelContract`` declares it.
public enum InputEncoding: Sendable {
    /// Three planes of 0–255 pixels in `order`, each value `(p − mean[c]) · scale[c]`, with
    /// `mean` and `scale` listed in the tensor's channel order (B, G, R for `.bgr`).
    case planes(ChannelOrder, mean: (Float, Float, Float), scale: (Float, Float, Float))
    /// One plane of BT.601 luma, `0.299 R + 0.587 G + 0.114 B` (FER2013's and Pillow's grey),
    /// 0–255 with no other scaling.
    case luma
    /// Not pixels: SFace's `bn1` feature map of the face's ArcFace-aligned crop, N×1024×7×7
    /// (``SFaceEmbedder/run(_:featureMaps:)``).
    case sfaceFeatureMap

    /// RGB 0–255 as it is: the graph normalises.
    public static let rawRGB = InputEncoding.planes(.rgb, mean: (0, 0, 0), scale: (1, 1, 1))
}

extension ModelContract {
    /// Packs same-sized `size`×`size` images into one N×C×size×size tensor following
    /// ``encoding`` (C is 3 for planes, 1 for luma): the one place pixels become a model's input.
    func tensor(of images: [Image], size: Int) throws -> Tensor {
        let channels: Int
        switch encoding {
        case .planes: channels = 3
        case .luma: channels = 1
        case .sfaceFeatureMap: preconditionFailure("\(name) reads SFace's feature map, not pixels")
        }
        let plane = size * size, stride = channels * plane
        let values = [Float](unsafeUninitializedCapacity: images.count * stride) { buffer, count in
            for (i, image) in images.enumerated() {
                precondition(image.width == size && image.height == size, "\(name) wants \(size)×\(size) inputs")
                let destination = UnsafeMutableBufferPointer(rebasing: buffer[(i * stride)..<((i + 1) * stride)])
                switch encoding {
                case let .planes(order, mean, scale):
                    image.writePlanar(into: destination, order: order, mean: mean, scale: scale)
                case .luma:
                    image.pixels.withUnsafeBufferPointer { src in
                        for p in 0..<plane {
                            destination[p] = 0.299 * Float(src[3 * p]) + 0.587 * Float(src[3 * p + 1]) + 0.114 * Float(src[3 * p + 2])
                        }
                    }
                case .sfaceFeatureMap:
                    break
                }
            }
            count = images.count * stride
        }
        return try Tensor(shape: [images.count, channels, size, size], values: values)
    }
}

/// A small graph on SFace's `bn1` feature map with one output of a few values per face: the
/// mask classifier and the age and gender heads. It owns the session, checks the output's size
/// and hands back each face's values, so that each model file keeps only what its numbers mean.
struct FeatureMapHead: Sendable {
    let contract: ModelContract
    private let session: InferenceSession

    /// The contract of a head reading `bn1` whose output `output` holds `width` values per face.
    static func contract(name: String, fileName: String, output: String, width: Int) -> ModelContract {
        ModelContract(name: name, fileName: fileName, input: .init("bn1", [nil] + SFaceEmbedder.featureMapShape.map { $0 }),
                      outputs: [.init(output, [nil, width])], encoding: .sfaceFeatureMap)
    }

    init(_ contract: ModelContract, directory: ModelDirectory, runtime: OnnxRuntime) throws {
        self.contract = contract
        session = try contract.load(from: directory, runtime: runtime)
    }

    var statistics: RunStatistics { session.statistics }

    /// Each face's output values for an N×1024×7×7 batch of feature maps; none for no faces.
    func run(_ featureMaps: Tensor) throws -> [ArraySlice<Float>] {
        let count = featureMaps.shape.first ?? 0
        guard count > 0 else { return [] }
        let output = contract.outputs[0], width = output.shape[1] ?? 1
        guard let values = try session.run([contract.input.name: featureMaps])[output.name]?.values, values.count == count * width else {
            throw ModelError.unexpectedOutput(name: contract.name, detail: "\(output.name) does not hold \(count)×\(width) values")
        }
        return (0..<count).map { values[($0 * width)..<(($0 + 1) * width)] }
    }
}
