import Testing
import Visage
import VisageCore
import VisageModels
@testable import VisageVideo

/// The linking rules on hand-made faces: boxes that move, embeddings that are or are not the same person.
struct FaceTrackerTests {
    /// A unit embedding pointing mostly along axis `person`, with a little of axis `wobble` so that
    /// frames of one person are similar but not identical.
    static func embedding(person: Int, wobble: Float = 0) -> [Float] {
        var values = [Float](repeating: 0, count: 128)
        values[person] = 1
        values[100] = wobble
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / norm }
    }

    static func face(x: Float, y: Float = 100, size: Float = 100, person: Int, wobble: Float = 0) -> Face {
        var face = Face(detection: Detection(box: Rect(x: x, y: y, width: size, height: size), score: 0.9, landmarks: []))
        face.embedding = embedding(person: person, wobble: wobble)
        return face
    }

    @Test func aMovingFaceIsOneTrack() {
        var tracker = FaceTracker()
        for frame in 0..<30 {
            tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 100 + Float(frame) * 5, person: 1, wobble: Float(frame % 3) / 10)])
        }
        let tracks = tracker.finish()
        #expect(tracks.count == 1)
        #expect(tracks[0].observations.count == 30)
        #expect(tracks[0].firstFrame == 0 && tracks[0].lastFrame == 29)
        #expect(tracks[0].reentries == 0)
    }

    @Test func twoPeopleSideBySideAreTwoTracks() {
        var tracker = FaceTracker()
        for frame in 0..<10 {
            let ids = tracker.update(frameIndex: frame, timestamp: Double(frame) / 25,
                                     faces: [Self.face(x: 50, person: 1), Self.face(x: 400, person: 2)])
            #expect(ids.count == 2 && ids[0] != ids[1])
        }
        let tracks = tracker.finish()
        #expect(tracks.count == 2)
        #expect(tracks.map(\.id) == [1, 2])
        #expect(tracks.allSatisfy { $0.observations.count == 10 })
    }

    /// A face that leaves for a second and comes back elsewhere in the picture keeps its track:
    /// no overlap, but the same embedding, within the 2 s gap.
    @Test func reentryWithinTheGapKeepsTheTrack() {
        var tracker = FaceTracker()
        for frame in 0..<10 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 50, person: 1)]) }
        for frame in 10..<35 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: []) }
        for frame in 35..<45 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 500, person: 1, wobble: 0.2)]) }
        let tracks = tracker.finish()
        #expect(tracks.count == 1)
        #expect(tracks[0].observations.count == 20)
        #expect(tracks[0].reentries == 1)
    }

    @Test func returningAfterTheGapStartsANewTrack() {
        var tracker = FaceTracker()
        for frame in 0..<10 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 50, person: 1)]) }
        // 3 s later: past the 2 s gap.
        for frame in 85..<95 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 50, person: 1)]) }
        let tracks = tracker.finish()
        #expect(tracks.map(\.firstFrame) == [0, 85])
    }

    /// Someone else stepping into the same place is not linked to the track by overlap alone.
    @Test func overlapWithADifferentPersonStartsANewTrack() {
        var tracker = FaceTracker()
        for frame in 0..<5 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 50, person: 1)]) }
        for frame in 5..<10 { tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: [Self.face(x: 55, person: 2)]) }
        #expect(tracker.finish().count == 2)
    }

    @Test func strayDetectionsAreDropped() {
        var tracker = FaceTracker()
        for frame in 0..<10 {
            var faces = [Self.face(x: 50, person: 1)]
            if frame == 4 || frame == 5 { faces.append(Self.face(x: 400, person: 7)) }
            tracker.update(frameIndex: frame, timestamp: Double(frame) / 25, faces: faces)
        }
        let tracks = tracker.finish()
        #expect(tracks.count == 1)
        #expect(tracker.droppedShortTracks == 1)
    }

    @Test func summaryVotesAndMedian() {
        var observations: [TrackObservation] = []
        for (i, (age, female)) in [(30, true), (34, true), (50, false), (31, true)].enumerated() {
            var face = Self.face(x: 0, person: 1)
            face.age = Float(age)
            face.gender = GenderEstimate(label: female ? .female : .male, score: 0.8)
            observations.append(TrackObservation(frameIndex: i, timestamp: Double(i), face: face))
        }
        let summary = TrackSummary(track: FaceTrack(id: 1, observations: observations, reentries: 0))
        #expect(summary.age == 32.5)
        #expect(summary.gender?.label == .female)
        #expect(summary.gender?.share == 0.75)
        // Mean probability of "female": 0.8 three times, 1 − 0.8 once.
        #expect(abs((summary.gender?.confidence ?? 0) - 0.65) < 1e-5)
        #expect(summary.expression == nil)
    }
}
