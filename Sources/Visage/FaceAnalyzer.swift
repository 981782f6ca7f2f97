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
/// What a call computes is ``Configuration/tasks`` unless the call names its own
/// (``analyze(_:tasks:)``). A model is opened only when some task needs it: those the configured
/// tasks need in `init` (so that a missing file fails there), any other on the first call that
/// asks for it. Open models are shared by every call; ``analyze(_:)`` is safe to call from many
/// tasks at once. Inference is blocking CPU work, so it runs on a private queue rather than on
/// Swift's cooperative pool, which would otherwise be starved (on a 2-core machine that pool
/// has two threads) and leave a server unable to accept connections.
public final class FaceAnalyzer: Sendable {
    public let configuration: Configuration
    public let runtime: OnnxRuntime
    let models: Models
    private let rescuer: MaskedFaceRescuer?
    private let queue = DispatchQueue(label: "visage.analyzer", attributes: .concurrent)

    public convenience init(configuration: Configuration = .init()) throws {
        let runtime = try OnnxRuntime.shared(configuration.runtime)
        try self.init(configuration: configuration, runtime: runtime, models: Models(configuration: configuration, runtime: runtime))
    }

    private init(configuration: Configuration, runtime: OnnxRuntime, models: Models) throws {
        self.configuration = configuration
        self.runtime = runtime
        self.models = models
        try models.open(for: configuration.permitted(configuration.tasks), input: configuration.input)
        rescuer = MaskedFaceRescuer(configuration: configuration, models: models)
    }

    /// An analyzer whose calls compute `tasks` unless they name others, over this analyzer's
    /// models: each file is opened once for both (a server's analyses and its embeddings for the
    /// gallery, say). Models `tasks` need that are not open yet are opened here.
    public func sharingModels(tasks: Tasks) throws -> FaceAnalyzer {
        var configuration = configuration
        configuration.tasks = tasks
        return try FaceAnalyzer(configuration: configuration, runtime: runtime, models: models)
    }

    /// The model files opened so far (`yunet_2023mar.onnx`, …) in pipeline order: those the
    /// configured tasks need, and those the calls so far asked for.
    public var openedModelFiles: [String] { models.openFileNames }

    /// Time spent inside ONNX Runtime since this analyzer's models were opened, by the stage
    /// whose models ran (the attention head and the FAb-Net encoder count as embedding).
    /// Subtracted from the stage timings it shows where time goes outside the runtime; `decode`
    /// and `align` stay zero. Analyzers made by ``sharingModels(tasks:)`` count each other's runs.
    public var inferenceTimes: StageTimings {
        func sum(_ statistics: RunStatistics?...) -> Duration {
            statistics.compactMap { $0?.inferenceTime }.reduce(.zero, +)
        }
        var times = StageTimings()
        times.detect = sum(models.detector.ifOpen?.statistics, models.maskedProposer.ifOpen?.flatMap { $0 }?.statistics)
        times.embed = sum(models.embedder.ifOpen?.statistics, models.attentionHead.ifOpen?.statistics,
                          models.attributeEncoder.ifOpen?.statistics)
        times.ageGender = sum(models.ageEstimator.ifOpen?.statistics, models.genderClassifier.ifOpen?.statistics,
                              models.ageHead.ifOpen?.statistics, models.genderHead.ifOpen?.statistics)
        times.expression = sum(models.expressionClassifier.ifOpen?.statistics)
        times.mask = sum(models.maskClassifier.ifOpen?.statistics)
        return times
    }

    /// Detects and analyses every face in `image`, best detector score first.
    public func analyze(_ image: Image) async throws -> [Face] {
        try await analyze(image, tasks: configuration.tasks)
    }

    /// Detects every face in `image` and computes `tasks` for each, best detector score first;
    /// the fields of other tasks stay nil. Each of `heads` then adds its prediction to
    /// ``Face/heads`` (what the heads read is computed too). Models no earlier call needed are
    /// opened now.
    public func analyze(_ image: Image, tasks: Tasks, heads: [any CustomHead] = []) async throws -> [Face] {
        try await offload { try self.analyzeNow(image, tasks: tasks, heads: heads).faces }
    }

    /// Decodes the file and analyses it; decoding errors name the path.
    public func analyze(contentsOf path: String) async throws -> AnalyzedImage {
        try await analyze(contentsOf: path, tasks: configuration.tasks)
    }

    /// Decodes the file and computes `tasks` (and `heads`) for each of its faces; decoding
    /// errors name the path.
    public func analyze(contentsOf path: String, tasks: Tasks, heads: [any CustomHead] = []) async throws -> AnalyzedImage {
        try await offload { try self.analyzeFile(path, tasks: tasks, heads: heads) }
    }

    /// The synchronous pipeline, with per-stage timings; used by the batch API and benchmarks.
    public func analyzeNow(_ image: Image) throws -> (faces: [Face], timings: StageTimings) {
        try analyzeNow(image, tasks: configuration.tasks)
    }

    /// The synchronous pipeline computing `tasks` and then `heads`, with per-stage timings.
    public func analyzeNow(_ image: Image, tasks: Tasks, heads: [any CustomHead] = []) throws -> (faces: [Face], timings: StageTimings) {
        try analyzeNow(image, tasks: tasks, faces: nil, heads: heads)
    }

    /// The pipeline for faces found already (`detected`, in `image`'s pixels: a region of a large
    /// photo, see FaceAnalyzer+LargePhotos.swift), or detecting them when nil.
    func analyzeNow(_ image: Image, tasks: Tasks, faces detected: [Face]?, heads: [any CustomHead]) throws -> (faces: [Face], timings: StageTimings) {
        var (faces, timings) = try analyzeNow(image, tasks: tasks.adding(heads), faces: detected)
        faces.apply(heads)
        return (faces, timings)
    }

    private func analyzeNow(_ image: Image, tasks asked: Tasks, faces detected: [Face]?) throws -> (faces: [Face], timings: StageTimings) {
        // A task whose model the configuration may not open stays nil, as one not asked for.
        let tasks = configuration.permitted(asked)
        var timings = StageTimings()
        let clock = ContinuousClock()
        var start = clock.now
        func lap(_ stage: WritableKeyPath<StageTimings, Duration>) {
            let now = clock.now
            timings[keyPath: stage] += now - start
            start = now
        }

        let givenCrop = configuration.input == .faceCrop
        var faces = givenCrop ? [Face(wholeImageOf: image)] : try detected ?? detectFaces(in: image)
        lap(\.detect)
        guard !faces.isEmpty else { return (faces, timings) }
        // Each model's input for each face: its model's own chip or crop from the landmarks, or
        // the whole given crop resized; a black square when alignment is impossible.
        func inputs(size: Int, aligned: (Face) -> Image?) -> [Image] {
            faces.map { face in (givenCrop ? image.shrunk(width: size, height: size) : aligned(face)) ?? Image(width: size, height: size) }
        }

        // The models the tasks need, each opened by the first call that needs it.
        let embedder = models.needsSFace(tasks) ? try models.embedder.get() : nil
        let attentionHead = tasks.contains(.maskedFaceEmbedding) ? try models.attentionHead.get() : nil
        let attributeEncoder = tasks.contains(.attributeEmbedding) ? try models.attributeEncoder.get() : nil
        // Age and gender each come from a head on SFace's feature map or from a network of
        // their own (Configuration.ageModel, genderModel).
        let separately = models.onOwnNetworks(tasks), onMaps = tasks.intersection(models.fromSFaceMaps)
        let ageEstimator = separately.contains(.age) ? try models.ageEstimator.get() : nil
        let genderClassifier = separately.contains(.gender) ? try models.genderClassifier.get() : nil
        let expressionClassifier = separately.contains(.expression) ? try models.expressionClassifier.get() : nil
        let ageHead = onMaps.contains(.age) ? try models.ageHead.get() : nil
        let genderHead = onMaps.contains(.gender) ? try models.genderHead.get() : nil
        let maskClassifier = tasks.contains(.mask) ? try models.maskClassifier.get() : nil

        // SFace (and through its feature map the mask classifier and the attention head) and the
        // FAb-Net encoder read the same ArcFace-aligned crop.
        let keepsCrops = tasks.contains(.alignedCrop)
        let crops = embedder == nil && attributeEncoder == nil && !keepsCrops ? [] : inputs(size: SFaceEmbedder.inputSize) {
            SFaceEmbedder.crop(of: image, landmarks: $0.landmarks)
        }
        lap(\.align)
        if let embedder {
            let wantsMaps = models.needsFeatureMaps(tasks)
            let (embeddings, featureMaps) = try embedder.run(crops, featureMaps: wantsMaps)
            if tasks.contains(.embedding) { for i in faces.indices { faces[i].embedding = embeddings[i] } }
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
            if let featureMaps, ageHead != nil || genderHead != nil {
                if let ageHead { for (i, age) in try ageHead.estimate(featureMaps: featureMaps).enumerated() { faces[i].age = age } }
                if let genderHead { for (i, gender) in try genderHead.classify(featureMaps: featureMaps).enumerated() { faces[i].gender = gender } }
                lap(\.ageGender)
            }
        }
        if let attributeEncoder {
            for (i, vector) in try attributeEncoder.embed(crops).enumerated() { faces[i].attributeEmbedding = vector }
            lap(\.embed)
        }
        if keepsCrops { for i in faces.indices { faces[i].alignedCrop = crops[i] } }
        // Stacked (AttributeModel.stacked): the head's answer, already in the face, is combined
        // with the network's; the age network reads the chip and its mirror, as it was fitted.
        if let ageEstimator {
            let chips = inputs(size: AgeEstimator.chipSize) { AgeEstimator.chip(of: image, landmarks: $0.landmarks) }
            let stacks = models.stacked.contains(.age)
            lap(\.align)
            let ages = try ageEstimator.estimate(stacks ? chips + chips.map { $0.applyingOrientation(.upMirrored) } : chips)
            for i in faces.indices {
                if stacks, let head = faces[i].age {
                    faces[i].age = StackedAgeGender.age(head: head, package: (ages[i] + ages[faces.count + i]) / 2)
                } else {
                    faces[i].age = ages[i]
                }
            }
            lap(\.ageGender)
        }
        if let genderClassifier {
            let chips = inputs(size: GenderClassifier.chipSize) { GenderClassifier.chip(of: image, landmarks: $0.landmarks) }
            lap(\.align)
            for (i, gender) in try genderClassifier.classify(chips).enumerated() {
                if models.stacked.contains(.gender), let head = faces[i].gender {
                    faces[i].gender = StackedAgeGender.gender(head: head, package: gender)
                } else {
                    faces[i].gender = gender
                }
            }
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

    /// The detector's faces and the weaker ones ``Configuration/maskedFaceRescue`` keeps, or the
    /// best weaker one under ``Configuration/fallbackScoreThreshold`` when there are none.
    func detectFaces(in image: Image) throws -> [Face] {
        let detector = try models.detector.get()
        let threshold = detector.configuration.scoreThreshold
        let floor = min(configuration.fallbackScoreThreshold ?? threshold, rescuer?.settings.scoreThreshold ?? threshold)
        guard floor < threshold else {
            return try detector.detect(in: image).map(Face.init(detection:))
        }
        // One pass at the lower threshold gives the same faces above the usual one: NMS only
        // lets a box be suppressed by a higher-scoring one.
        let candidates = try detector.detect(in: image, scoreThreshold: floor)
        var sure = candidates.filter { $0.score >= threshold }
        if let rescuer { sure += try rescuer.rescued(candidates.filter { $0.score < threshold }, in: image, besides: sure) }
        guard let fallback = configuration.fallbackScoreThreshold, fallback < threshold else { return sure.map(Face.init(detection:)) }
        let weaker = candidates.filter { $0.score >= fallback }
        let kept = sure.isEmpty ? weaker.max { $0.score < $1.score }.map { [$0] } ?? [] : sure
        return kept.map(Face.init(detection:))
    }

    /// Embeddings of 112×112 ArcFace-aligned crops made by the caller (a masked template
    /// rendered at enrolment, say), synchronously; nil when the analyzer was configured
    /// without ``Tasks/embedding``.
    public func embeddings(ofAlignedCrops crops: [Image]) throws -> [[Float]]? {
        guard configuration.tasks.contains(.embedding) else { return nil }
        return try models.embedder.get().embed(crops)
    }

    /// Decodes and analyses one file synchronously, timing the decode too.
    public func analyzeFile(_ path: String) throws -> AnalyzedImage {
        try analyzeFile(path, tasks: configuration.tasks)
    }

    /// Decodes one file and computes `tasks` and then `heads` for its faces synchronously, timing
    /// the decode too.
    public func analyzeFile(_ path: String, tasks: Tasks, heads: [any CustomHead] = []) throws -> AnalyzedImage {
        let clock = ContinuousClock()
        let start = clock.now
        let image = try Image(contentsOf: path, options: configuration.decoding)
        let decoded = clock.now
        var (faces, timings) = try analyzeNow(image, tasks: tasks, heads: heads)
        timings.decode = decoded - start
        return AnalyzedImage(path: path, width: image.width, height: image.height, faces: faces, image: image, timings: timings)
    }

    /// Runs blocking work on the analyzer's private queue (``VisageCore/offload(on:_:)``).
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await VisageCore.offload(on: queue, work)
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
