import Foundation
public import VisageCore
public import VisageModels

/// What Visage measured about one face, in the form descriptions and answers are composed from.
///
/// Every field is a measurement with the model that made it; a field that was not measured is
/// nil and is never described or guessed. Build these from the pipeline's ``Visage/Face``
/// values with ``PhotoAnalysis/init(faces:width:height:)``.
///
/// ```swift
/// let analyzed = try await FaceAnalyzer().analyze(contentsOf: "group.jpg")
/// let photo = PhotoAnalysis(faces: analyzed.faces, width: analyzed.width, height: analyzed.height)
/// print(photo.faces.map(\.number))   // 1, 2, … numbered left to right
/// ```
public struct FaceFacts: Sendable, Hashable {
    /// 1-based number, faces numbered from the left of the picture to the right.
    public var number: Int
    public var box: Rect
    /// Detector confidence in [0, 1].
    public var detectorScore: Float
    /// The detector's five landmarks (left eye, right eye, nose, left and right mouth corner, as seen).
    public var landmarks: [Point]
    /// Apparent age in years (from the model ``PhotoAnalysis/attributeModels`` names).
    public var age: Float?
    /// Apparent gender and its probability (from the model ``PhotoAnalysis/attributeModels`` names).
    public var gender: GenderEstimate?
    /// Facial expression, when the pipeline measures one.
    public var expression: ExpressionFact?
    /// Mask or no mask, when the pipeline measures it.
    public var mask: MaskFact?
    /// Variance of the Laplacian of the grey 112×112 aligned crop (higher is sharper).
    public var sharpness: Float?
    /// Who the face is in a gallery, when a gallery was searched.
    public var identity: IdentityFact?

    public init(number: Int, box: Rect, detectorScore: Float, landmarks: [Point], age: Float? = nil, gender: GenderEstimate? = nil,
                expression: ExpressionFact? = nil, mask: MaskFact? = nil, sharpness: Float? = nil, identity: IdentityFact? = nil) {
        self.number = number
        self.box = box
        self.detectorScore = detectorScore
        self.landmarks = landmarks
        self.age = age
        self.gender = gender
        self.expression = expression
        self.mask = mask
        self.sharpness = sharpness
        self.identity = identity
    }

    /// Head pose read from the landmarks; nil without the five landmarks.
    public var pose: Pose? { Pose(landmarks: landmarks) }
}

/// A facial expression estimate: the winning label, its probability and every label's.
///
/// It reads what a face shows (FER2013's seven classes), not what the person feels.
public struct ExpressionFact: Sendable, Hashable {
    /// One of ``ExpressionFact/labels``.
    public var label: String
    public var probability: Float
    /// Probability per label (every label of ``labels`` when the model gives them all).
    public var scores: [String: Float]
    /// The model that produced it.
    public var source: String

    /// FER2013's seven classes in the order its models output them.
    public static let labels = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]

    public init(label: String, probability: Float, scores: [String: Float] = [:], source: String = "expression-fer2013") {
        self.label = label
        self.probability = probability
        self.scores = scores.isEmpty ? [label: probability] : scores
        self.source = source
    }

    /// Probability of `label`, 0 when the model gave none for it.
    public func probability(of label: String) -> Float { scores[label] ?? (label == self.label ? probability : 0) }
}

/// Whether a face wears a mask, with the probability of that reading.
public struct MaskFact: Sendable, Hashable {
    public var wearing: Bool
    /// Probability of ``wearing``; nil when the model gives none.
    public var probability: Float?
    public var source: String

    public init(wearing: Bool, probability: Float?, source: String = "mask model") {
        self.wearing = wearing
        self.probability = probability
        self.source = source
    }
}

/// The result of searching a gallery for one face.
public struct IdentityFact: Sendable, Hashable {
    public struct Candidate: Sendable, Hashable {
        public var name: String
        public var similarity: Float
        public init(name: String, similarity: Float) {
            self.name = name
            self.similarity = similarity
        }
    }

    /// The matched person, nil when nobody in the gallery reaches the threshold.
    public var name: String?
    /// The matched person's gallery id (for the service's audit trail; answers speak of names).
    public var personID: Int64?
    /// Best candidates, best first, whatever their similarity.
    public var candidates: [Candidate]
    /// The cosine similarity a match must reach.
    public var threshold: Float
    /// The gallery searched (its file name), for `source`.
    public var gallery: String

    public init(name: String?, personID: Int64? = nil, candidates: [Candidate], threshold: Float, gallery: String) {
        self.name = name
        self.personID = personID
        self.candidates = candidates
        self.threshold = threshold
        self.gallery = gallery
    }

    /// Similarity of the face to `person`'s best template, nil when they were not among the candidates.
    public func similarity(to person: String) -> Float? {
        candidates.first { $0.name.compare(person) }?.similarity
    }
}

extension String {
    /// Case- and accent-insensitive equality of two names ("tom hanks" = "Tom Hanks").
    func compare(_ other: String) -> Bool {
        folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            == other.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
