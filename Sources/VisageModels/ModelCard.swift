/// The summary of a model's card (docs/models) that Visage carries at run time: what the file is
/// for, where it came from, and what its weights may be used for, so that an operator can see
/// what a machine serves without reading the repository (`visage models`, `GET /v1/models`).
///
/// Each model's file in VisageModels declares its card beside its ``ModelContract``; the long
/// form, with metrics and recipe, is the document at ``document``.
public struct ModelCard: Sendable, Hashable {
    /// What the weights may be used for, as their licence and the terms of their training photos
    /// together allow: the stricter of the two decides.
    public enum Use: String, Sendable, Hashable, CaseIterable {
        /// A permissive licence and nothing in the training data's terms against commercial use.
        case any
        /// A permissive licence, but the training photos' rights were never cleared (gathered
        /// from the web, celebrity sets): check them before a commercial deployment.
        case checkTrainingData = "check-training-data"
        /// Trained by us on photos whose terms allow research only (UTKFace, FER2013, CFP):
        /// the weights inherit that, so no product or commercial use.
        case researchOnly = "research-only"
    }

    /// The file name inside the model folder.
    public var fileName: String
    /// What Visage computes with it.
    public var purpose: String
    /// The package and version it is extracted from, or our recipe.
    public var origin: String
    /// The weights' licence.
    public var licence: String
    /// The photos the weights were trained on, with their terms where they restrict use.
    public var trainingData: String
    public var use: Use
    /// The full card, relative to the repository's root.
    public var document: String
    /// The sha256 of the file exactly as `scripts/setup` installs it (the set-up's conversions
    /// are deterministic, so every machine gets the same bytes); nil when set-up does not
    /// install it (an opt-in file the operator trains and copies in).
    public var installedSHA256: String?
    /// Whether Visage runs without the file unless asked for it: set-up does not install it, or
    /// installs it only where it can (the int8 SFace).
    public var isOptIn: Bool

    public init(fileName: String, purpose: String, origin: String, licence: String, trainingData: String, use: Use,
                document: String, installedSHA256: String?, isOptIn: Bool = false) {
        self.fileName = fileName
        self.purpose = purpose
        self.origin = origin
        self.licence = licence
        self.trainingData = trainingData
        self.use = use
        self.document = document
        self.installedSHA256 = installedSHA256
        self.isOptIn = isOptIn
    }

    /// Every model Visage can open, in pipeline order: the detectors, SFace, the models that
    /// read its feature map, then the attribute networks of their own.
    public static let all: [ModelCard] = [
        YuNetDetector.card, YuNetDetector.maskedCard, SFaceEmbedder.card, SFaceEmbedder.int8Card,
        MaskClassifier.card, MaskedFaceAttentionHead.card, SFaceAgeHead.card, SFaceGenderHead.card,
        AgeEstimator.card, GenderClassifier.card, ExpressionClassifier.card, FabNetEncoder.card,
    ]

    /// The card of the file named `fileName`, nil for a file Visage does not know.
    public static func named(_ fileName: String) -> ModelCard? {
        all.first { $0.fileName == fileName }
    }
}
