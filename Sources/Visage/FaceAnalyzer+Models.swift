import Dispatch
import Foundation
import Synchronization
import VisageModels
import VisageRuntime

/// A model opened on first use and shared afterwards.
///
/// Opening happens at most once, even when several analyses ask at the same moment: the others
/// wait on this model's own lock, so a slow SFace load holds up nobody who needs only the
/// detector. An error is not kept: the next call tries to open the file again.
final class LazyModel<Model: Sendable>: Sendable {
    private let state = Mutex<Model?>(nil)
    private let open: @Sendable () throws -> Model

    init(_ open: @escaping @Sendable () throws -> Model) {
        self.open = open
    }

    /// The model, opened now when no call opened it before.
    func get() throws -> Model {
        try state.withLock { model in
            if let model { return model }
            let opened = try open()
            model = opened
            return opened
        }
    }

    /// The model when it is open, without opening it.
    var ifOpen: Model? {
        state.withLock { $0 }
    }
}

extension FaceAnalyzer {
    /// Every model an analyzer can run, each opened on first need. Analyzers made with
    /// ``FaceAnalyzer/sharingModels(tasks:)`` share one set, so each file is opened once.
    final class Models: Sendable {
        let detector: LazyModel<YuNetDetector>
        /// The masked-face student whose masked boxes the rescue adds (``MaskedFaceRescue/proposalScoreThreshold``);
        /// nil when the models folder does not hold `yunet-masked.onnx`.
        let maskedProposer: LazyModel<YuNetDetector?>
        let embedder: LazyModel<SFaceEmbedder>
        let attentionHead: LazyModel<MaskedFaceAttentionHead>
        let attributeEncoder: LazyModel<FabNetEncoder>
        let ageEstimator: LazyModel<AgeEstimator>
        let genderClassifier: LazyModel<GenderClassifier>
        let expressionClassifier: LazyModel<ExpressionClassifier>
        let maskClassifier: LazyModel<MaskClassifier>
        let ageHead: LazyModel<SFaceAgeHead>
        let genderHead: LazyModel<SFaceGenderHead>
        /// The tasks answered by a head on SFace's feature map rather than a network of their own
        /// (``Configuration/ageModel``, ``Configuration/genderModel``), alone or stacked.
        let fromSFaceMaps: Tasks
        /// The tasks answered by both, combined (``AttributeModel/stacked``).
        let stacked: Tasks

        init(configuration: Configuration, runtime: OnnxRuntime) {
            let directory = configuration.models, detection = configuration.detector, allowed = configuration.allowedModelUses
            // Each open first asks whether the configuration allows the model's use.
            let permit = { @Sendable (card: ModelCard) throws in try configuration.permit(card) }
            detector = LazyModel { try permit(YuNetDetector.card); return try YuNetDetector(directory: directory, runtime: runtime, configuration: detection) }
            // Set-up does not provide the student (not shipped; docs/models/yunet-masked.md): a
            // folder without it runs the rescue alone, and putting the file there opts in. An
            // optional booster, so a student whose use is not allowed is left out like a missing one.
            maskedProposer = LazyModel {
                let path = directory.url.appendingPathComponent(YuNetDetector.maskedFileName).path
                guard FileManager.default.fileExists(atPath: path), allowed.contains(YuNetDetector.maskedCard.use) else { return nil }
                return try YuNetDetector(directory: directory, runtime: runtime, configuration: detection, fileName: YuNetDetector.maskedFileName)
            }
            let precision = configuration.sfacePrecision, averagesMirror = configuration.flipAveragesEmbedding
            embedder = LazyModel {
                try permit(precision == .int8 ? SFaceEmbedder.int8Card : SFaceEmbedder.card)
                return try SFaceEmbedder(directory: directory, runtime: runtime, precision: precision, averagesMirror: averagesMirror)
            }
            attentionHead = LazyModel { try permit(MaskedFaceAttentionHead.card); return try MaskedFaceAttentionHead(directory: directory, runtime: runtime) }
            attributeEncoder = LazyModel { try permit(FabNetEncoder.card); return try FabNetEncoder(directory: directory, runtime: runtime) }
            ageEstimator = LazyModel { try permit(AgeEstimator.card); return try AgeEstimator(directory: directory, runtime: runtime) }
            genderClassifier = LazyModel { try permit(GenderClassifier.card); return try GenderClassifier(directory: directory, runtime: runtime) }
            expressionClassifier = LazyModel { try permit(ExpressionClassifier.card); return try ExpressionClassifier(directory: directory, runtime: runtime) }
            maskClassifier = LazyModel { try permit(MaskClassifier.card); return try MaskClassifier(directory: directory, runtime: runtime) }
            ageHead = LazyModel { try permit(SFaceAgeHead.card); return try SFaceAgeHead(directory: directory, runtime: runtime) }
            genderHead = LazyModel { try permit(SFaceGenderHead.card); return try SFaceGenderHead(directory: directory, runtime: runtime) }
            // Given face crops keep the networks of their own: the heads were trained on SFace's map
            // of landmark-aligned crops, and a loose crop shrunk to 112 px is not one (on whole
            // UTKFace chips the gender head got 32 of 60 right, the package model at least 42).
            let models = [(Tasks.age, configuration.ageModel), (.gender, configuration.genderModel)]
            fromSFaceMaps = configuration.input == .faceCrop ? [] : Tasks(models.filter { $0.1 != .separateNetwork }.map(\.0))
            stacked = configuration.input == .faceCrop ? [] : Tasks(models.filter { $0.1 == .stacked }.map(\.0))
        }

        /// SFace runs for the identity embedding and for the models that read its feature map
        /// (the mask classifier, the attention head, the attribute heads chosen).
        func needsSFace(_ tasks: Tasks) -> Bool {
            !tasks.isDisjoint(with: Tasks([.embedding, .mask, .maskedFaceEmbedding]).union(fromSFaceMaps))
        }

        /// Of `tasks`, those a network of their own answers: every task not read off SFace's map,
        /// and the stacked ones, which need the network beside the head.
        func onOwnNetworks(_ tasks: Tasks) -> Tasks {
            tasks.subtracting(fromSFaceMaps).union(tasks.intersection(stacked))
        }

        /// The tasks that read SFace's feature map.
        func needsFeatureMaps(_ tasks: Tasks) -> Bool {
            !tasks.isDisjoint(with: Tasks([.mask, .maskedFaceEmbedding]).union(fromSFaceMaps))
        }

        /// Opens now every model that `tasks` on `input` need, so that a missing or broken file
        /// fails here rather than in the middle of a batch; the first failure in pipeline order
        /// is thrown.
        ///
        /// Opening a session is single-threaded work inside ONNX Runtime (reading the file,
        /// optimising the graph, packing weights), so the models open side by side, one per core:
        /// SFace, the slowest, opens while the smaller ones do.
        func open(for tasks: Tasks, input: Input) throws {
            var opens: [@Sendable () throws -> Void] = []
            if input == .photo { opens.append { [detector] in _ = try detector.get() } }
            if needsSFace(tasks) { opens.append { [embedder] in _ = try embedder.get() } }
            if tasks.contains(.maskedFaceEmbedding) { opens.append { [attentionHead] in _ = try attentionHead.get() } }
            if tasks.contains(.attributeEmbedding) { opens.append { [attributeEncoder] in _ = try attributeEncoder.get() } }
            let separately = onOwnNetworks(tasks), onMaps = tasks.intersection(fromSFaceMaps)
            if separately.contains(.age) { opens.append { [ageEstimator] in _ = try ageEstimator.get() } }
            if separately.contains(.gender) { opens.append { [genderClassifier] in _ = try genderClassifier.get() } }
            if tasks.contains(.expression) { opens.append { [expressionClassifier] in _ = try expressionClassifier.get() } }
            if onMaps.contains(.age) { opens.append { [ageHead] in _ = try ageHead.get() } }
            if onMaps.contains(.gender) { opens.append { [genderHead] in _ = try genderHead.get() } }
            if tasks.contains(.mask) { opens.append { [maskClassifier] in _ = try maskClassifier.get() } }
            let failures = Mutex<[Int: any Error]>([:])
            DispatchQueue.concurrentPerform(iterations: opens.count) { [opens] i in
                do { try opens[i]() } catch { failures.withLock { $0[i] = error } }
            }
            if let first = failures.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
        }

        /// Files opened so far, by file name (for tests and start-up measurements).
        var openFileNames: [String] {
            [(detector.ifOpen != nil, YuNetDetector.contract.fileName), (maskedProposer.ifOpen?.flatMap { $0 } != nil, YuNetDetector.maskedFileName), (embedder.ifOpen != nil, SFaceEmbedder.contract.fileName),
             (attentionHead.ifOpen != nil, MaskedFaceAttentionHead.contract.fileName),
             (attributeEncoder.ifOpen != nil, FabNetEncoder.contract.fileName),
             (ageEstimator.ifOpen != nil, AgeEstimator.contract.fileName), (genderClassifier.ifOpen != nil, GenderClassifier.contract.fileName),
             (expressionClassifier.ifOpen != nil, ExpressionClassifier.contract.fileName),
             (maskClassifier.ifOpen != nil, MaskClassifier.contract.fileName),
             (ageHead.ifOpen != nil, SFaceAgeHead.contract.fileName), (genderHead.ifOpen != nil, SFaceGenderHead.contract.fileName)].filter(\.0).map(\.1)
        }
    }
}
