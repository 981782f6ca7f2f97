public import VisageCore
import VisageModels
public import VisageRuntime
import Dispatch
import Foundation

/// Turns images into ``Face`` values: detection, alignment, embedding, age, gender and expression.
///
/// ```swift
/// let analyzer = try FaceAnalyzer()
/// let faces = try await analyzer.analyze(Image(contentsOf: "group.jpg"))
/// for face in faces { print(face.box, face.age ?? 0, face.gender?.label ?? .female) }
/// ```
///
/// Models load once, in `init`, and are shared by every call; ``analyze(_:)`` is safe to call
/// from many tasks at once. Inference is blocking CPU work, so it runs on a private queue
/// rather than on Swift's cooperative pool, which would otherwise be starved (on a 2-core
/// machine that pool has two threads) and leave a server unable to accept connections.
public final class FaceAnalyzer: Sendable {
    public let configuration: Configuration
    public let runtime: OnnxRuntime
    private let detector: YuNetDetector
    let embedder: SFaceEmbedder?
    private let attentionHead: MaskedFaceAttentionHead?
    private let attributeEncoder: FabNetEncoder?
    private let ageEstimator: AgeEstimator?
    private let genderClassifier: GenderClassifier?
    private let expressionClassifier: ExpressionClassifier?
    private let maskClassifier: MaskClassifier?
    private let queue = DispatchQueue(label: "visage.analyzer", attributes: .concurrent)

    public init(configuration: Configuration = .init()) throws {
        self.configuration = configuration
        runtime = try OnnxRuntime.shared(configuration.runtime)
        let models = configuration.models
        detector = try YuNetDetector(directory: models, runtime: runtime, configuration: configuration.detector)
        let tasks = configuration.tasks
        // The mask classifier and the attention head read SFace's feature map, so they need SFace too.
        embedder = tasks.isDisjoint(with: [.embedding, .mask, .maskedFaceEmbedding]) ? nil : try SFaceEmbedder(directory: models, runtime: runtime)
        attentionHead = tasks.contains(.maskedFaceEmbedding) ? try MaskedFaceAttentionHead(directory: models, runtime: runtime) : nil
        attributeEncoder = tasks.contains(.attributeEmbedding) ? try FabNetEncoder(directory: models, runtime: runtime) : nil
        ageEstimator = tasks.contains(.age) ? try AgeEstimator(directory: models, runtime: runtime) : nil
        genderClassifier = tasks.contains(.gender) ? try GenderClassifier(directory: models, runtime: runtime) : nil
        expressionClassifier = tasks.contains(.expression) ? try ExpressionClassifier(directory: models, runtime: runtime) : nil
        maskClassifier = tasks.contains(.mask) ? try MaskClassifier(directory: models, runtime: runtime) : nil
    }

    /// Time spent inside ONNX Runtime since this analyzer was created, by the stage whose models
    /// ran (the attention head and the FAb-Net encoder count as embedding). Subtracted from the
    /// stage timings it shows where time goes outside the runtime; `decode` and `align` stay zero.
    public var inferenceTimes: StageTimings {
        func sum(_ statistics: RunStatistics?...) -> Duration {
            statistics.compactMap { $0?.inferenceTime }.reduce(.zero, +)
        }
        var times = StageTimings()
        times.detect = sum(detector.statistics)
        times.embed = sum(embedder?.statistics, attentionHead?.statistics, attributeEncoder?.statistics)
        times.ageGender = sum(ageEstimator?.statistics, genderClassifier?.statistics)
        times.expression = sum(expressionClassifier?.statistics)
        times.mask = sum(maskClassifier?.statistics)
        return times
    }

    /// Detects and analyses every face in `image`, best detector score first.
    public func analyze(_ image: Image) async throws -> [Face] {
        try await offload { try self.analyzeNow(image).faces }
    }

    /// Decodes the file and analyses it; decoding errors name the path.
    public func analyze(contentsOf path: String) async throws -> AnalyzedImage {
        try await offload { try self.analyzeFile(path) }
    }

    /// Compares the largest face of each image; through the attention head when either wears a
    /// mask and the analyzer computes ``Tasks/mask`` and ``Tasks/maskedFaceEmbedding``.
    public func verify(_ a: Image, _ b: Image, threshold: Float = Verification.defaultThreshold) async throws -> Verification? {
        async let facesA = analyze(a)
        async let facesB = analyze(b)
        guard let fa = try await facesA.largest, let fb = try await facesB.largest,
              let (similarity, method) = fa.maskAwareSimilarity(to: fb) else { return nil }
        return Verification(similarity: similarity, threshold: threshold, method: method)
    }

    /// The synchronous pipeline, with per-stage timings; used by the batch API and benchmarks.
    public func analyzeNow(_ image: Image) throws -> (faces: [Face], timings: StageTimings) {
        var timings = StageTimings()
        let clock = ContinuousClock()
        var start = clock.now
        func lap(_ stage: WritableKeyPath<StageTimings, Duration>) {
            let now = clock.now
            timings[keyPath: stage] += now - start
            start = now
        }

        let givenCrop = configuration.input == .faceCrop
        var faces = givenCrop ? [Face(wholeImageOf: image)] : try detectFaces(in: image)
        lap(\.detect)
        guard !faces.isEmpty else { return (faces, timings) }
        // Each model's input for each face: aligned on the landmarks, or the whole given crop
        // resized; a black square when alignment is impossible (degenerate landmarks).
        func inputs(size: Int, aligned: (Face) -> Image?) -> [Image] {
            faces.map { face in (givenCrop ? image.shrunk(width: size, height: size) : aligned(face)) ?? Image(width: size, height: size) }
        }

        // SFace (and through its feature map the mask classifier and the attention head) and the
        // FAb-Net encoder read the same ArcFace-aligned crop.
        let keepsCrops = configuration.tasks.contains(.alignedCrop)
        let crops = embedder == nil && attributeEncoder == nil && !keepsCrops ? [] : inputs(size: SFaceEmbedder.inputSize) {
            FaceAlignment.arcFaceCrop(of: image, landmarks: $0.landmarks)?.crop
        }
        lap(\.align)
        if let embedder {
            let wantsMaps = maskClassifier != nil || attentionHead != nil
            let (embeddings, featureMaps) = try embedder.run(crops, featureMaps: wantsMaps)
            if configuration.tasks.contains(.embedding) { for i in faces.indices { faces[i].embedding = embeddings[i] } }
            if let attentionHead, let featureMaps {
                for (i, output) in try attentionHead.embed(featureMaps: featureMaps).enumerated() {
                    faces[i].maskedFaceEmbedding = output.embedding
                    faces[i].attention = output.attention
                }
            }
            lap(\.embed)
            if let maskClassifier, let featureMaps {
                for (i, mask) in try maskClassifier.classify(featureMaps: featureMaps).enumerated() { faces[i].mask = mask }
                lap(\.mask)
            }
        }
        if let attributeEncoder {
            for (i, vector) in try attributeEncoder.embed(crops).enumerated() { faces[i].attributeEmbedding = vector }
            lap(\.embed)
        }
        if keepsCrops { for i in faces.indices { faces[i].alignedCrop = crops[i] } }
        if let ageEstimator {
            let chips = inputs(size: AgeEstimator.chipSize) { chip(image, $0, AgeEstimator.chipTemplate, AgeEstimator.chipSize) }
            lap(\.align)
            for (i, age) in try ageEstimator.estimate(chips).enumerated() { faces[i].age = age }
            lap(\.ageGender)
        }
        if let genderClassifier {
            let chips = inputs(size: GenderClassifier.chipSize) { chip(image, $0, GenderClassifier.chipTemplate, GenderClassifier.chipSize) }
            lap(\.align)
            for (i, gender) in try genderClassifier.classify(chips).enumerated() { faces[i].gender = gender }
            lap(\.ageGender)
        }
        if let expressionClassifier {
            let chips = inputs(size: ExpressionClassifier.chipSize) { ExpressionClassifier.chip(of: image, landmarks: $0.landmarks) }
            lap(\.align)
            for (i, expression) in try expressionClassifier.classify(chips).enumerated() { faces[i].expression = expression }
            lap(\.expression)
        }
        return (faces, timings)
    }

    /// The detector's faces, or the best weaker one under ``Configuration/fallbackScoreThreshold``.
    private func detectFaces(in image: Image) throws -> [Face] {
        let threshold = detector.configuration.scoreThreshold
        guard let fallback = configuration.fallbackScoreThreshold, fallback < threshold else {
            return try detector.detect(in: image).map(Face.init(detection:))
        }
        // One pass at the lower threshold gives the same faces above the usual one: NMS only
        // lets a box be suppressed by a higher-scoring one.
        let candidates = try detector.detect(in: image, scoreThreshold: fallback)
        let sure = candidates.filter { $0.score >= threshold }
        let kept = sure.isEmpty ? candidates.max { $0.score < $1.score }.map { [$0] } ?? [] : sure
        return kept.map(Face.init(detection:))
    }

    /// Embeddings of 112×112 ArcFace-aligned crops made by the caller (a masked template
    /// rendered at enrolment, say), synchronously; nil when the analyzer was configured
    /// without ``Tasks/embedding``.
    public func embeddings(ofAlignedCrops crops: [Image]) throws -> [[Float]]? {
        guard let embedder, configuration.tasks.contains(.embedding) else { return nil }
        return try embedder.embed(crops)
    }

    /// Decodes and analyses one file synchronously, timing the decode too.
    public func analyzeFile(_ path: String) throws -> AnalyzedImage {
        let clock = ContinuousClock()
        let start = clock.now
        let image = try Image(contentsOf: path, options: configuration.decoding)
        let decoded = clock.now
        var (faces, timings) = try analyzeNow(image)
        timings.decode = decoded - start
        return AnalyzedImage(path: path, width: image.width, height: image.height, faces: faces, image: image, timings: timings)
    }

    private func chip(_ image: Image, _ face: Face, _ template: [Point], _ size: Int) -> Image? {
        FaceAlignment.crop(of: image, landmarks: face.landmarks, template: template, size: size)?.crop
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// One analysed image file: its size after orientation, its faces, and what each stage cost.
public struct AnalyzedImage: Sendable {
    public var path: String
    public var width: Int
    public var height: Int
    public var faces: [Face]
    /// The decoded, upright image (for annotation); drop it when only faces are needed.
    public var image: Image?
    public var timings: StageTimings
}

/// Wall time spent per pipeline stage.
public struct StageTimings: Sendable, Hashable {
    public var decode: Duration = .zero
    public var detect: Duration = .zero
    public var align: Duration = .zero
    public var embed: Duration = .zero
    public var ageGender: Duration = .zero
    public var expression: Duration = .zero
    public var mask: Duration = .zero

    public init() {}

    public var total: Duration { decode + detect + align + embed + ageGender + expression + mask }

    public static func + (lhs: StageTimings, rhs: StageTimings) -> StageTimings { lhs.combined(with: rhs, by: +) }

    public static func - (lhs: StageTimings, rhs: StageTimings) -> StageTimings { lhs.combined(with: rhs, by: -) }

    /// Stage by stage, `combine(self's time, other's time)`.
    private func combined(with other: StageTimings, by combine: (Duration, Duration) -> Duration) -> StageTimings {
        var result = StageTimings()
        result.decode = combine(decode, other.decode)
        result.detect = combine(detect, other.detect)
        result.align = combine(align, other.align)
        result.embed = combine(embed, other.embed)
        result.ageGender = combine(ageGender, other.ageGender)
        result.expression = combine(expression, other.expression)
        result.mask = combine(mask, other.mask)
        return result
    }
}
