import Visage
import VisageCore
public import VisageModels

/// A label voted by a track's frames.
public struct TrackVote<Label: Sendable & Hashable>: Sendable, Hashable {
    /// The label most frames gave.
    public var label: Label
    /// Mean probability the classifier gave this label over all the track's frames.
    public var confidence: Float
    /// Fraction of the track's frames whose own top label was this one.
    public var share: Float
}

/// What a track's frames say together: age median, majority gender and expression.
public struct TrackSummary: Sendable {
    public var age: Float?
    public var gender: TrackVote<GenderLabel>?
    public var expression: TrackVote<ExpressionLabel>?

    public init(track: FaceTrack) {
        let faces = track.observations.map(\.face)
        age = Self.median(faces.compactMap(\.age))
        let genders = faces.compactMap(\.gender)
        gender = Self.vote(genders.map(\.label)) { label in
            genders.map { $0.label == label ? $0.score : 1 - $0.score }
        }
        let expressions = faces.compactMap(\.expression)
        expression = Self.vote(expressions.map(\.label)) { label in expressions.map { $0.score(for: label) } }
    }

    static func median(_ values: [Float]) -> Float? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    /// Majority of `labels` (ties broken by the higher mean probability), with `probabilities`
    /// giving each frame's probability of a label.
    static func vote<Label: Hashable & Sendable>(_ labels: [Label], probabilities: (Label) -> [Float]) -> TrackVote<Label>? {
        guard !labels.isEmpty else { return nil }
        let counts = labels.reduce(into: [Label: Int]()) { $0[$1, default: 0] += 1 }
        let ranked = counts.map { label, count in
            let p = probabilities(label)
            return TrackVote(label: label, confidence: p.reduce(0, +) / Float(p.count), share: Float(count) / Float(labels.count))
        }
        return ranked.max { ($0.share, $0.confidence) < ($1.share, $1.confidence) }
    }
}

extension FaceTrack {
    /// The `count` observations best suited to identify the person: highest detection score
    /// times size (a face under 112 px, SFace's input, is penalised in proportion), with an embedding.
    public func bestObservations(_ count: Int) -> [TrackObservation] {
        func quality(_ o: TrackObservation) -> Float {
            o.face.score * min(1, min(o.face.box.width, o.face.box.height) / 112)
        }
        return Array(observations.filter { $0.face.embedding != nil }.sorted { quality($0) > quality($1) }.prefix(count))
    }

    /// The L2-normalised mean embedding of ``bestObservations(_:)``: one query for the gallery.
    public func identityEmbedding(frames count: Int = 5) -> [Float]? {
        let embeddings = bestObservations(count).compactMap(\.face.embedding)
        guard let first = embeddings.first else { return nil }
        let sum = embeddings.dropFirst().reduce(first) { zip($0, $1).map { $0 + $1 } }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? sum.map { $0 / norm } : nil
    }
}
