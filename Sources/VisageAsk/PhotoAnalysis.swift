import Foundation
public import Visage
import VisageCore
import VisageModels

/// Everything Visage measured in one photo: its size and its faces, numbered left to right.
///
/// The answers and descriptions of ``Answerer`` and ``Describer`` are composed from this value
/// only, so they can say nothing the pipeline did not measure.
///
/// ```swift
/// let analyzed = try await analyzer.analyze(contentsOf: "t1.jpg")
/// let photo = PhotoAnalysis(faces: analyzed.faces, width: analyzed.width, height: analyzed.height)
/// print(Answerer(photo: photo).answer("How many people are in this photo?").text)
/// ```
public struct PhotoAnalysis: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// Faces sorted from the left of the picture to the right; `faces[i].number == i + 1`.
    public var faces: [FaceFacts]
    /// The detector that found the faces (for `source`).
    public var detector: String
    /// The gallery searched for identities, nil when none was given.
    public var gallery: String?
    /// The models that gave age and gender (for `source` and the age error answers quote).
    public var attributeModels: AttributeModels

    public init(width: Int, height: Int, faces: [FaceFacts], detector: String = Models.detector, gallery: String? = nil,
                attributeModels: AttributeModels = .init()) {
        self.width = width
        self.height = height
        self.faces = faces.sorted { $0.box.center.x < $1.box.center.x }
        for i in self.faces.indices { self.faces[i].number = i + 1 }
        self.detector = detector
        self.gallery = gallery
        self.attributeModels = attributeModels
    }

    /// Converts the pipeline's faces: age, gender, landmarks, sharpness of the aligned crop
    /// (when the analyzer kept it), and expression and mask when ``Face`` carries them.
    public init(faces: [Face], width: Int, height: Int, identities: [IdentityFact?]? = nil, gallery: String? = nil,
                attributeModels: AttributeModels = .init()) {
        var facts: [FaceFacts] = []
        for (i, face) in faces.enumerated() {
            facts.append(FaceFacts(
                number: 0, box: face.box, detectorScore: face.score, landmarks: face.landmarks,
                age: face.age, gender: face.gender,
                expression: MeasuredExtras.expression(of: face), mask: MeasuredExtras.mask(of: face),
                sharpness: face.alignedCrop.map { Sharpness.laplacianVariance($0) },
                identity: identities.flatMap { i < $0.count ? $0[i] : nil }))
        }
        self.init(width: width, height: height, faces: facts, gallery: gallery, attributeModels: attributeModels)
    }

    /// The face with the largest box.
    public var largest: FaceFacts? { faces.max { $0.box.area < $1.box.area } }
}

/// Which of ``FaceAnalyzer/AttributeModel``'s choices gave a photo's age and gender: answers
/// name it as their `source`, and age answers quote its typical error.
public struct AttributeModels: Sendable, Hashable {
    public var age: FaceAnalyzer.AttributeModel
    public var gender: FaceAnalyzer.AttributeModel

    /// The analyzer's defaults.
    public init(age: FaceAnalyzer.AttributeModel = FaceAnalyzer.Configuration().ageModelInUse,
                gender: FaceAnalyzer.AttributeModel = FaceAnalyzer.Configuration().genderModelInUse) {
        self.age = age
        self.gender = gender
    }

    /// The models an analyzer with this configuration uses.
    public init(_ configuration: FaceAnalyzer.Configuration) {
        self.init(age: configuration.ageModelInUse, gender: configuration.genderModelInUse)
    }
}

/// Names of the models behind each measurement, as `source` reports them.
public enum Models {
    public static let detector = "yunet_2023mar"
    /// The age model's name: its file without `.onnx` (both, for the stacked combination).
    public static func age(_ model: FaceAnalyzer.AttributeModel) -> String {
        switch model {
        case .sfaceHead: "age-sface-head"
        case .separateNetwork: "age-v1"
        case .stacked: "age-sface-head + age-v1 (stacked)"
        }
    }
    /// The gender model's name, as ``age(_:)``.
    public static func gender(_ model: FaceAnalyzer.AttributeModel) -> String {
        switch model {
        case .sfaceHead: "gender-sface-head"
        case .separateNetwork: "gender-v1"
        case .stacked: "gender-sface-head + gender-v1 (stacked)"
        }
    }
    public static let landmarks = "yunet_2023mar landmarks"
    public static let sharpness = "Laplacian variance of the aligned crop"
    public static let mask = "mask-classifier"
}

/// What this build's pipeline measures beyond detection, age and gender, read off ``Face``.
public enum MeasuredExtras {
    public static func expression(of face: Face) -> ExpressionFact? {
        guard let estimate = face.expression else { return nil }
        let scores = Dictionary(uniqueKeysWithValues: zip(ExpressionLabel.allCases.map(\.rawValue), estimate.scores))
        return ExpressionFact(label: estimate.label.rawValue, probability: estimate.score, scores: scores)
    }

    public static func mask(of face: Face) -> MaskFact? {
        face.mask.map { MaskFact(wearing: $0.isMasked, probability: $0.score, source: Models.mask) }
    }
}
