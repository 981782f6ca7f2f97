import Foundation
public import Visage
public import VisageCore
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
}

/// Reads measurements that ``Face`` may or may not carry in this build.
///
/// The expression field (issue 7) and a mask field (issue 5) are being added to ``Face`` by
/// other work; Visage's answers must use them as soon as they exist and otherwise say that
/// Visage cannot tell. Reflection reads a stored property named `expression` (a value with
/// `label` and `scores` in FER2013 order) or `mask` (a Bool, or a value with `label` and
/// `score`/`probability`) without naming their types, so this target compiles either way.
/// Once those fields are on main, replace this with plain property access.
public enum MeasuredExtras {
    /// Whether ``Face`` has a stored property called `name` in this build.
    public static func faceHasField(_ name: String) -> Bool {
        let probe = Face(detection: .init(box: Rect(x: 0, y: 0, width: 1, height: 1), score: 1, landmarks: []))
        return Mirror(reflecting: probe).children.contains { $0.label == name }
    }

    /// Whether the pipeline measures expressions in this build.
    public static var measuresExpression: Bool { faceHasField("expression") }
    /// Whether the pipeline measures masks in this build.
    public static var measuresMask: Bool { faceHasField("mask") }

    public static func expression(of face: Face) -> ExpressionFact? {
        guard let estimate = field("expression", of: face) else { return nil }
        let label = child("label", of: estimate).map { String(describing: $0) }
        let scores = child("scores", of: estimate) as? [Float]
        if let scores, scores.count == ExpressionFact.labels.count {
            let byLabel = Dictionary(uniqueKeysWithValues: zip(ExpressionFact.labels, scores))
            let winner = label.flatMap { byLabel[$0] != nil ? $0 : nil } ?? byLabel.max { $0.value < $1.value }!.key
            return ExpressionFact(label: winner, probability: byLabel[winner]!, scores: byLabel)
        }
        guard let label else { return nil }
        let probability = (child("score", of: estimate) as? Float) ?? (child("probability", of: estimate) as? Float) ?? scores?.max() ?? 0
        return ExpressionFact(label: label, probability: probability)
    }

    public static func mask(of face: Face) -> MaskFact? {
        guard let value = field("mask", of: face) else { return nil }
        if let wearing = value as? Bool { return MaskFact(wearing: wearing, probability: nil) }
        guard let label = child("label", of: value).map({ String(describing: $0).lowercased() }) else { return nil }
        let wearing = !(label.contains("without") || label.contains("no") || label == "unmasked" || label == "false")
        let probability = (child("score", of: value) as? Float) ?? (child("probability", of: value) as? Float)
        return MaskFact(wearing: wearing, probability: probability)
    }

    /// The unwrapped value of a stored property, nil when absent or nil.
    static func field(_ name: String, of value: Any) -> Any? {
        child(name, of: value).flatMap(unwrap)
    }

    static func child(_ name: String, of value: Any) -> Any? {
        Mirror(reflecting: value).children.first { $0.label == name }.flatMap { unwrap($0.value) }
    }

    static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrap($0.value) }
    }
}
