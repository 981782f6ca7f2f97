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

    public init(width: Int, height: Int, faces: [FaceFacts], detector: String = Models.detector, gallery: String? = nil) {
        self.width = width
        self.height = height
        self.faces = faces.sorted { $0.box.center.x < $1.box.center.x }
        for i in self.faces.indices { self.faces[i].number = i + 1 }
        self.detector = detector
        self.gallery = gallery
    }

    /// Converts the pipeline's faces: age, gender, landmarks, sharpness of the aligned crop
    /// (when the analyzer kept it), and expression and mask when ``Face`` carries them.
    public init(faces: [Face], width: Int, height: Int, identities: [IdentityFact?]? = nil, gallery: String? = nil) {
        var facts: [FaceFacts] = []
        for (i, face) in faces.enumerated() {
            facts.append(FaceFacts(
                number: 0, box: face.box, detectorScore: face.score, landmarks: face.landmarks,
                age: face.age, gender: face.gender,
                expression: MeasuredExtras.expression(of: face), mask: MeasuredExtras.mask(of: face),
                sharpness: face.alignedCrop.map { Sharpness.laplacianVariance($0) },
                identity: identities.flatMap { i < $0.count ? $0[i] : nil }))
        }
        self.init(width: width, height: height, faces: facts, gallery: gallery)
    }

    /// The face with the largest box.
    public var largest: FaceFacts? { faces.max { $0.box.area < $1.box.area } }
}

/// Names of the models behind each measurement, as `source` reports them.
public enum Models {
    public static let detector = "yunet_2023mar"
    public static let age = "age-v1"
    public static let gender = "gender-v1"
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
