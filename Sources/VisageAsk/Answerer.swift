import Foundation
import VisageCore
import VisageModels

/// Answers questions about a photo from what Visage measured in it, and declines the rest.
///
/// ```swift
/// let answerer = Answerer(photo: photo)
/// answerer.answer("Is the person on the left smiling?").text
/// answerer.answer("What race is she?").declined   // true
/// ```
///
/// With several faces and no face named, a question about one face is answered for the
/// largest face, and the answer says so and how to ask about another.
public struct Answerer: Sendable {
    public var photo: PhotoAnalysis

    public init(photo: PhotoAnalysis) {
        self.photo = photo
    }

    public func answer(_ question: String) -> Answer { answer(Question(question)) }

    public func answer(_ question: Question) -> Answer {
        let intent = question.intent
        func decline(_ text: String, source: String = "none") -> Answer {
            Answer(question: question.text, text: text, value: nil, source: source, intent: intent, declined: true)
        }
        switch intent {
        case let .outside(outside):
            return decline(outside.reason)
        case let .count(filter):
            return count(question, filter)
        case let .superlative(s):
            return superlative(question, s)
        case .identity where photo.gallery == nil:
            return decline("Visage does not know who people are: it can only say whether a face matches someone enrolled in a gallery. "
                + "Pass --gallery FILE to ask that.")
        default:
            break
        }
        if photo.faces.isEmpty {
            return Answer(question: question.text, text: "Visage found no face in this photo, so it cannot answer that.", value: nil,
                          source: photo.detector, intent: intent, declined: false)
        }
        let chosen = choose(question.target)
        guard let face = chosen.face else { return decline(chosen.note, source: photo.detector) }
        var answer = answer(intent, about: face, question: question)
        answer.face = face.number
        if !chosen.note.isEmpty { answer.text += " " + chosen.note }
        return answer
    }

    // MARK: - One face

    private var ageSource: String { Models.age(photo.attributeModels.age) }
    private var genderSource: String { Models.gender(photo.attributeModels.gender) }
    /// The age model's typical error in years, quoted in answers and used for band chances.
    private var ageError: Float { AgeBands.typicalError(of: photo.attributeModels.age) }

    private func subject(_ face: FaceFacts) -> String {
        photo.faces.count == 1 ? "The person" : "Face \(face.number) (\(Wording.position(of: face.box, width: photo.width, height: photo.height)))"
    }

    private func answer(_ intent: Intent, about face: FaceFacts, question: Question) -> Answer {
        let who = subject(face)
        func make(_ text: String, _ value: Answer.Value?, _ confidence: Float?, _ source: String, declined: Bool = false) -> Answer {
            Answer(question: question.text, text: text, value: value, confidence: confidence, source: source, intent: intent, declined: declined)
        }
        func notMeasured(_ what: String, _ source: String) -> Answer {
            make("Visage did not measure \(what) for this face, so it cannot tell.", nil, nil, source, declined: true)
        }
        switch intent {
        case .age:
            guard let age = face.age else { return notMeasured("age", ageSource) }
            return make("\(who) looks about \(Int(age.rounded())) years old (apparent age; the age model's typical error is ±\(Int(ageError.rounded())) years).",
                        .number(Double(age.rounded())), nil, ageSource)
        case .ageGroup:
            guard let age = face.age else { return notMeasured("age", ageSource) }
            let band = AgeBands.decade(of: age)
            let p = AgeBands.probability(AgeBands.range(of: band)!, estimate: age, typicalError: ageError)
            return make("\(who) is \(Wording.certainty(p)) in the \(band) age group (apparent age \(Int(age.rounded())); chance of that band \(Wording.percent(p))).",
                        .string(band), p, ageSource)
        case let .ageCheck(range):
            guard let age = face.age else { return notMeasured("age", ageSource) }
            let pIn = AgeBands.probability(range.range, estimate: age, typicalError: ageError)
            let yes = range.range.contains(age)
            let p = yes ? pIn : 1 - pIn
            let text = yes
                ? "Yes, \(lower(who)) \(Wording.certainty(p) == "unclear" ? "may be" : Wording.certainty(p) + " is") \(range.words): apparent age \(Int(age.rounded()))."
                : "No, \(lower(who)) \(Wording.certainty(p) == "unclear" ? "may not be" : Wording.certainty(p) + " is not") \(range.words): apparent age \(Int(age.rounded()))."
            return make(text + (Wording.certainty(p) == "unclear" ? " It is close to the line, so this is unclear." : ""), .bool(yes), p, ageSource)
        case .gender:
            guard let g = face.gender else { return notMeasured("gender", genderSource) }
            let words = Wording.certainty(g.score)
            let text = words == "unclear"
                ? "Unclear: the gender model leans \(g.label.rawValue) for \(lower(who)), but only at \(Wording.score(g.score))."
                : "\(who) \(words) appears \(g.label.rawValue) (gender model \(Wording.score(g.score)); apparent gender, not identity)."
            return make(text, .string(g.label.rawValue), g.score, genderSource)
        case let .isGender(label):
            guard let g = face.gender else { return notMeasured("gender", genderSource) }
            let yes = g.label == label
            let words = Wording.certainty(g.score)
            let text = (yes ? "Yes, " : "No, ") + "\(lower(who)) \(words == "unclear" ? "is unclear, leaning" : words + " appears") \(g.label.rawValue) (gender model \(Wording.score(g.score)))."
            return make(text, .bool(yes), g.score, genderSource)
        case .expression:
            guard let e = face.expression else { return notMeasured("the expression", "expression model") }
            let words = Wording.certainty(e.probability)
            return make("\(who) shows \(article(e.label)) \(e.label) expression (\(words), \(Wording.score(e.probability))). That is what the face shows, not what the person feels.",
                        .string(e.label), e.probability, e.source)
        case let .isExpression(label):
            guard let e = face.expression else { return notMeasured("the expression", "expression model") }
            let yes = e.label == label
            let p = yes ? e.probability : 1 - e.probability(of: label)
            let asked = label == "happy" && question.text.lowercased().contains("smil") ? "smiling" : Self.adjective[label] ?? label
            let text = yes
                ? "Yes, \(lower(who)) \(Wording.certainty(p)) looks \(asked) (\(label) \(Wording.score(e.probability)))."
                : "No, \(lower(who)) does not look \(asked): the expression reads \(e.label) (\(Wording.score(e.probability))); \(label) \(Wording.score(e.probability(of: label)))."
            return make(text, .bool(yes), p, e.source)
        case .mask:
            guard let m = face.mask else { return notMeasured("a mask", "mask model") }
            let words = m.probability.map { " (\(Wording.certainty($0)), \(Wording.score($0)))" } ?? ""
            return make((m.wearing ? "Yes, \(lower(who)) wears a mask" : "No, \(lower(who)) does not wear a mask") + words + ".",
                        .bool(m.wearing), m.probability, m.source)
        case .enrollment:
            var problems = EnrollmentCheck(face: face).problems.map { "\(lower(who)) is " + $0 }
            if photo.faces.count > 1 {
                problems.insert("the photo has \(photo.faces.count) faces (a gallery enrols the largest; crop it to the one person)", at: 0)
            }
            let facts = String(format: "%.0f×%.0f px, detector score %.2f", face.box.width, face.box.height, face.detectorScore)
                + (face.sharpness.map { String(format: ", sharpness %.0f", $0) } ?? "")
            let text = problems.isEmpty
                ? "Yes, this photo is good enough for enrolment: one frontal, sharp face, large enough (\(facts))."
                : "No, not good enough for enrolment: " + problems.joined(separator: "; ") + " (\(facts))."
            return make(text, .bool(problems.isEmpty), nil, EnrollmentCheck.source)
        case let .blur(askedBlurred):
            guard let sharpness = face.sharpness else { return notMeasured("sharpness", Models.sharpness) }
            let blurred = sharpness < Sharpness.blurredBelow
            let text = (blurred == askedBlurred ? "Yes, " : "No, ") + "\(lower(who)) looks \(blurred ? "blurred" : "sharp")"
                + String(format: " (Laplacian variance %.0f; below %.0f counts as blurred).", sharpness, Sharpness.blurredBelow)
            return make(text, .bool(blurred == askedBlurred), nil, Models.sharpness)
        case .pose, .isFrontal:
            guard let pose = face.pose else { return notMeasured("landmarks", Models.landmarks) }
            let numbers = String(format: "yaw ratio %.2f, roll %.0f°", pose.yaw, pose.roll)
            if case .isFrontal = intent {
                return make((pose.isFrontal ? "Yes, \(lower(who)) is facing the camera" : "No, \(lower(who)) is \(pose.words)") + " (\(numbers)).",
                            .bool(pose.isFrontal), nil, Models.landmarks)
            }
            return make("\(who) is \(pose.words) (\(numbers)).", .string(pose.isFrontal ? "frontal" : pose.words), nil, Models.landmarks)
        case let .identity(name):
            return identity(name, face: face, who: who, make: make)
        case .count, .superlative, .outside:
            preconditionFailure("answered for the whole photo")
        }
    }

    private func identity(_ name: String?, face: FaceFacts, who: String,
                          make: (String, Answer.Value?, Float?, String, Bool) -> Answer) -> Answer {
        let gallery = photo.gallery ?? "gallery"
        let source = "gallery \(gallery) (sface_2021dec)"
        guard let id = face.identity else {
            return make("Visage could not search the gallery for this face (no embedding).", nil, nil, source, true)
        }
        let threshold = String(format: "%.3f", id.threshold)
        guard let name else {
            if let match = id.name {
                let s = id.similarity(to: match) ?? 0
                return make("\(who) matches \(match) in the gallery (similarity \(String(format: "%.3f", s)), threshold \(threshold)).", .string(match), nil, source, false)
            }
            let closest = id.candidates.first.map { String(format: "; closest: %@, %.3f", $0.name, $0.similarity) } ?? ""
            return make("\(who) does not match anyone in the gallery (threshold \(threshold)\(closest)).", .string("unknown"), nil, source, false)
        }
        guard let similarity = id.similarity(to: name) else {
            return make("\(name) is not enrolled in the gallery, so Visage cannot tell.", nil, nil, source, true)
        }
        let s = String(format: "%.3f", similarity)
        if let match = id.name, match.compare(name) {
            return make("Yes, \(lower(who)) matches \(name) (similarity \(s), threshold \(threshold)).", .bool(true), nil, source, false)
        }
        let other = id.name.map { " It matches \($0) instead." } ?? ""
        return make("No, \(lower(who)) does not match \(name) (similarity \(s), below the threshold \(threshold)).\(other)", .bool(false), nil, source, false)
    }

    // MARK: - Whole photo

    private func count(_ question: Question, _ filter: CountFilter?) -> Answer {
        let faces = photo.faces
        func make(_ text: String, _ value: Answer.Value?, _ source: String, declined: Bool = false) -> Answer {
            Answer(question: question.text, text: text, value: value, source: source, intent: question.intent, declined: declined)
        }
        guard let filter else {
            let text = faces.isEmpty ? "Visage found no faces in this photo."
                : faces.count == 1 ? "There is 1 face in this photo."
                : "There are \(faces.count) faces in this photo" + String(format: " (detector scores %.2f–%.2f).",
                                                                         faces.map(\.detectorScore).min()!, faces.map(\.detectorScore).max()!)
            return make(text, .number(Double(faces.count)), photo.detector)
        }
        // "0 of the 0 faces" would read as an answer; with no face found there is none to give.
        if faces.isEmpty {
            return make("Visage found no face in this photo, so it cannot answer that.", nil, photo.detector)
        }
        let matching: [FaceFacts]
        let words: String
        let source: String
        switch filter {
        case .female, .male:
            matching = faces.filter { $0.gender?.label.rawValue == filter.rawValue }
            words = "appear \(filter.rawValue)"
            source = genderSource
        case .smiling:
            matching = faces.filter { $0.expression?.label == "happy" }
            words = "look happy (smiling)"
            source = faces.compactMap(\.expression?.source).first ?? "expression model"
        case .masked:
            matching = faces.filter { $0.mask?.wearing == true }
            words = "wear a mask"
            source = faces.compactMap(\.mask?.source).first ?? "mask model"
        }
        let list = matching.isEmpty ? "" : ": " + (matching.count == 1 ? "face " : "faces ") + Self.list(matching.map { "\($0.number)" })
        let text = "\(matching.count) of the \(Wording.count(faces.count, "face")) \(matching.count == 1 ? words.replacingOccurrences(of: "appear ", with: "appears ").replacingOccurrences(of: "look ", with: "looks ").replacingOccurrences(of: "wear ", with: "wears ") : words)\(list) (numbered from the left)."
        return make(text, .number(Double(matching.count)), source)
    }

    private func superlative(_ question: Question, _ s: Superlative) -> Answer {
        func make(_ text: String, _ value: Answer.Value?, _ source: String, face: Int? = nil, declined: Bool = false) -> Answer {
            Answer(question: question.text, text: text, value: value, source: source, face: face, intent: question.intent, declined: declined)
        }
        let faces = photo.faces
        guard !faces.isEmpty else { return make("Visage found no faces in this photo.", nil, photo.detector) }
        let key: (FaceFacts) -> Float?
        let source: String
        let unit: (Float) -> String
        switch s {
        case .oldest, .youngest:
            key = { $0.age.map { s == .oldest ? $0 : -$0 } }
            source = ageSource
            unit = { "apparent age \(Int(abs($0).rounded()))" }
        case .happiest:
            key = { $0.expression?.probability(of: "happy") }
            source = faces.compactMap(\.expression?.source).first ?? "expression model"
            unit = { "happy \(Wording.score($0))" }
        case .largest:
            key = { $0.box.width * $0.box.height }
            source = photo.detector
            unit = { String(format: "%.0f px²", $0) }
        }
        let ranked = faces.compactMap { f in key(f).map { (f, $0) } }.sorted { $0.1 > $1.1 }
        guard let best = ranked.first else { return make("Visage did not measure that for these faces.", nil, source, declined: true) }
        if faces.count == 1 {
            return make("There is only one face (\(unit(best.1))).", .number(1), source, face: 1)
        }
        var text = "Face \(best.0.number) (\(Wording.position(of: best.0.box, width: photo.width, height: photo.height))) is the \(s.rawValue): \(unit(best.1))"
        if ranked.count > 1 {
            let second = ranked[1]
            text += "; next is face \(second.0.number) (\(unit(second.1)))."
            if (s == .oldest || s == .youngest), abs(best.1 - second.1) < ageError {
                text += " The gap is within the age model's typical error (±\(Int(ageError.rounded())) years), so this is uncertain."
            }
        } else {
            text += "."
        }
        return make(text, .number(Double(best.0.number)), source, face: best.0.number)
    }

    // MARK: - Choosing the face

    /// The face a question is about, and a note to append (or, without a face, why not).
    private func choose(_ selector: FaceSelector) -> (face: FaceFacts?, note: String) {
        var candidates = photo.faces
        var what = "face"
        if let gender = selector.gender {
            candidates = candidates.filter { $0.gender?.label == gender }
            what = gender == .female ? "face that appears female" : "face that appears male"
            if candidates.isEmpty { return (nil, "Visage found no \(what) in this photo.") }
        }
        if let ordinal = selector.ordinal {
            let ordered = selector.fromRight ? Array(candidates.reversed()) : candidates
            guard (1...max(1, ordered.count)).contains(ordinal), ordinal <= ordered.count else {
                let side = selector.fromRight ? "right" : "left"
                let count = ordered.count == 1 ? "only 1 \(what), number 1" : "\(ordered.count) \(what)s, numbered 1 to \(ordered.count) from the \(side)"
                return (nil, "This photo has \(count), so there is no number \(ordinal).")
            }
            return (ordered[ordinal - 1], "")
        }
        if let position = selector.position {
            let cx = Float(photo.width) / 2
            let face: FaceFacts? = switch position {
            case .left: candidates.min { $0.box.center.x < $1.box.center.x }
            case .right: candidates.max { $0.box.center.x < $1.box.center.x }
            case .centre: candidates.min { abs($0.box.center.x - cx) < abs($1.box.center.x - cx) }
            case .top: candidates.min { $0.box.center.y < $1.box.center.y }
            case .bottom: candidates.max { $0.box.center.y < $1.box.center.y }
            }
            return (face, "")
        }
        let largest = candidates.max { $0.box.area < $1.box.area }!
        guard candidates.count > 1 else { return (largest, "") }
        return (largest, "(\(candidates.count) \(what)s here; this answer is about the largest, face \(largest.number). "
            + "Ask about \"face 2\" or \"the person on the left\" for another.)")
    }

    // MARK: - Words

    static let adjective = ["angry": "angry", "disgust": "disgusted", "fear": "afraid", "happy": "happy", "neutral": "neutral",
                            "sad": "sad", "surprise": "surprised"]

    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    private func lower(_ subject: String) -> String {
        subject.hasPrefix("The ") ? "the" + subject.dropFirst(3) : subject.hasPrefix("Face ") ? "face" + subject.dropFirst(4) : subject
    }

    private func article(_ word: String) -> String {
        ["a", "e", "i", "o", "u"].contains(word.prefix(1)) ? "an" : "a"
    }
}
