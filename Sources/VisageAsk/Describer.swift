import VisageModels
import VisageCore
import Foundation

/// A short description of a photo's faces, composed only from what Visage measured.
///
/// ```swift
/// let description = Describer(photo: photo).describe()
/// print(description.summary)          // "6 faces, numbered from the left."
/// for face in description.faces { print(face.text) }
/// ```
///
/// Nothing unmeasured is mentioned: without an expression model there is no word about
/// expression, without a gallery no word about identity.
public struct Describer: Sendable {
    public var photo: PhotoAnalysis

    public init(photo: PhotoAnalysis) {
        self.photo = photo
    }

    /// One face's description: its number, where it is, and the sentence.
    public struct FaceDescription: Sendable, Hashable {
        public var number: Int
        public var position: String
        public var text: String
        public var enrollment: EnrollmentCheck
    }

    public struct PhotoDescription: Sendable, Hashable {
        public var summary: String
        public var faces: [FaceDescription]

        /// The summary and each face on its own line.
        public var text: String { ([summary] + faces.map { "  " + $0.text }).joined(separator: "\n") }
    }

    public func describe() -> PhotoDescription {
        let faces = photo.faces
        let summary: String
        switch faces.count {
        case 0: summary = "No face found (detector \(photo.detector))."
        case 1: summary = "1 face, \(Wording.position(of: faces[0].box, width: photo.width, height: photo.height))."
        default: summary = "\(faces.count) faces, numbered from the left of the picture."
        }
        return PhotoDescription(summary: summary, faces: faces.map(describe))
    }

    public func describe(_ face: FaceFacts) -> FaceDescription {
        let position = Wording.position(of: face.box, width: photo.width, height: photo.height)
        var parts: [String] = []
        if let age = face.age {
            let band = AgeBands.decade(of: age)
            let p = AgeBands.probability(AgeBands.range(of: band)!, estimate: age, typicalError: AgeBands.typicalError(of: photo.attributeModels.age))
            parts.append("looks about \(Int(age.rounded())) (age group \(band): \(Wording.certainty(p)), \(Wording.percent(p)))")
        }
        if let g = face.gender {
            let words = Wording.certainty(g.score)
            parts.append(words == "unclear"
                         ? "apparent gender unclear (leans \(g.label.rawValue), \(Wording.score(g.score)))"
                         : "\(words) appears \(g.label.rawValue) (\(Wording.score(g.score)))")
        }
        if let e = face.expression {
            parts.append("\(Wording.certainty(e.probability) == "unclear" ? "expression unclear, leaning" : "expression \(Wording.certainty(e.probability))") \(e.label) (\(Wording.score(e.probability)))")
        }
        if let m = face.mask {
            let sure = m.probability.map { " (\(Wording.certainty($0)), \(Wording.score($0)))" } ?? ""
            parts.append((m.wearing ? "wears a mask" : "no mask") + sure)
        }
        if let pose = face.pose { parts.append(pose.words) }
        if let id = face.identity {
            if let name = id.name {
                parts.append("matches \(name) in the gallery (\(String(format: "%.3f", id.similarity(to: name) ?? 0)))")
            } else {
                parts.append("not anyone in the gallery" + (id.candidates.first.map { String(format: " (closest %.3f)", $0.similarity) } ?? ""))
            }
        }
        let check = EnrollmentCheck(face: face)
        var quality = String(format: "%.0f×%.0f px, detector %.2f", face.box.width, face.box.height, face.detectorScore)
        if let s = face.sharpness { quality += String(format: ", sharpness %.0f", s) }
        quality += check.passed ? ": fit for enrolment" : ": not for enrolment, " + check.problems.joined(separator: "; ")
        parts.append(quality)
        let lead = photo.faces.count == 1 ? "The face (\(position))" : "Face \(face.number) (\(position))"
        return FaceDescription(number: face.number, position: position, text: lead + " " + parts.joined(separator: "; ") + ".", enrollment: check)
    }
}
