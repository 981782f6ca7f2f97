public import Visage
import VisageCore
import VisageModels

/// One face of one analysed frame, as a track holds it.
public struct TrackObservation: Sendable {
    /// Stream index of the frame.
    public var frameIndex: Int
    /// Seconds from the start of the stream.
    public var timestamp: Double
    /// What the analyzer measured (without the aligned crop, which a long clip cannot afford to keep).
    public var face: Face
}

/// The frames in which one person's face was followed, in order.
public struct FaceTrack: Sendable {
    /// 1-based, in order of first appearance among the tracks reported.
    public var id: Int
    public var observations: [TrackObservation]
    /// How often the face came back after being missed in at least one analysed frame
    /// (left the picture, turned away, a missed detection) and was linked to this track again.
    public var reentries: Int

    public var firstFrame: Int { observations.first!.frameIndex }
    public var lastFrame: Int { observations.last!.frameIndex }
}

/// Links the faces of successive frames into tracks, online, one frame at a time.
///
/// A face continues a track when its box overlaps the track's last box (IoU ≥
/// ``Configuration/minimumOverlap``) and its SFace embedding is not clearly someone else's, or,
/// without any overlap, when its embedding matches the track's mean embedding at the
/// verification threshold: that is how a face that leaves and comes back within
/// ``Configuration/maximumGap`` seconds keeps its track. Pairs are taken greedily by overlap +
/// similarity. A track unseen for longer than the gap ends; faces left unmatched start tracks.
///
/// ```swift
/// var tracker = FaceTracker()
/// for (frame, faces) in analysedFrames { tracker.update(frameIndex: frame.index, timestamp: frame.timestamp, faces: faces) }
/// let tracks = tracker.finish()
/// ```
public struct FaceTracker: Sendable {
    /// Linking rules; each property states its default.
    public struct Configuration: Sendable, Hashable {
        /// IoU with a track's last box at or above which a face may continue it by position (default 0.3).
        public var minimumOverlap: Float = 0.3
        /// Embedding similarity below which an overlapping face is taken to be someone else
        /// (default 0.1: a guard for people crossing, set well under the verification threshold,
        /// not tuned on data).
        public var overlapVetoSimilarity: Float = 0.1
        /// Similarity to a track's mean embedding at or above which a face continues it with no
        /// overlap (default ``Verification/defaultThreshold``, 0.303: FAR 1e-3 on CFP's impostor pairs).
        public var reentrySimilarity: Float = Verification.defaultThreshold
        /// Seconds a track may go unseen and still be continued (default 2).
        public var maximumGap: Double = 2
        /// Observations a track needs to be reported (default 3): shorter ones are stray detections.
        public var minimumObservations: Int = 3

        public init() {}
    }

    public let configuration: Configuration
    private var open: [Building] = []
    private var closed: [Building] = []
    private var nextProvisionalID = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    private struct Building: Sendable {
        var provisionalID: Int
        var observations: [TrackObservation]
        var embeddingSum: [Float]?
        var reentries = 0
        var missedSinceLastSeen = false

        var last: TrackObservation { observations.last! }

        var meanEmbedding: [Float]? {
            guard let sum = embeddingSum else { return nil }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? sum.map { $0 / norm } : nil
        }

        mutating func add(_ observation: TrackObservation) {
            if let embedding = observation.face.embedding {
                embeddingSum = embeddingSum.map { zip($0, embedding).map { $0 + $1 } } ?? embedding
            }
            if missedSinceLastSeen { reentries += 1 }
            missedSinceLastSeen = false
            observations.append(observation)
        }
    }

    /// Links one analysed frame's faces; returns each face's provisional track number (stable
    /// for the life of the tracker, not the final ``FaceTrack/id``).
    @discardableResult
    public mutating func update(frameIndex: Int, timestamp: Double, faces: [Face]) -> [Int] {
        // Tracks unseen for too long end before this frame is linked.
        let (ending, staying) = open.reduce(into: ([Building](), [Building]())) { split, track in
            if timestamp - track.last.timestamp > configuration.maximumGap { split.0.append(track) } else { split.1.append(track) }
        }
        closed += ending
        open = staying

        var candidates: [(track: Int, face: Int, score: Float)] = []
        for (t, track) in open.enumerated() {
            let mean = track.meanEmbedding
            for (f, face) in faces.enumerated() {
                let overlap = track.last.face.box.iou(face.box)
                let similarity = zip2(mean, face.embedding).map(cosineSimilarity)
                let byPosition = overlap >= configuration.minimumOverlap && (similarity ?? 1) >= configuration.overlapVetoSimilarity
                let byIdentity = (similarity ?? -1) >= configuration.reentrySimilarity
                if byPosition || byIdentity { candidates.append((t, f, overlap + (similarity ?? 0))) }
            }
        }
        var trackOfFace = [Int?](repeating: nil, count: faces.count)
        var takenTracks = Set<Int>()
        for pair in candidates.sorted(by: { $0.score > $1.score }) where trackOfFace[pair.face] == nil && !takenTracks.contains(pair.track) {
            trackOfFace[pair.face] = pair.track
            takenTracks.insert(pair.track)
        }
        for t in open.indices where !takenTracks.contains(t) { open[t].missedSinceLastSeen = true }
        var provisional: [Int] = []
        for (f, face) in faces.enumerated() {
            let observation = TrackObservation(frameIndex: frameIndex, timestamp: timestamp, face: face)
            if let t = trackOfFace[f] {
                open[t].add(observation)
                provisional.append(open[t].provisionalID)
            } else {
                var track = Building(provisionalID: nextProvisionalID, observations: [], embeddingSum: nil)
                nextProvisionalID += 1
                track.add(observation)
                open.append(track)
                provisional.append(track.provisionalID)
            }
        }
        return provisional
    }

    /// Ends every track and returns those with at least ``Configuration/minimumObservations``
    /// observations, numbered 1… in order of first appearance.
    public mutating func finish() -> [FaceTrack] {
        closed += open
        open = []
        return closed
            .filter { $0.observations.count >= configuration.minimumObservations }
            .sorted { ($0.observations[0].frameIndex, $0.provisionalID) < ($1.observations[0].frameIndex, $1.provisionalID) }
            .enumerated()
            .map { FaceTrack(id: $0.offset + 1, observations: $0.element.observations, reentries: $0.element.reentries) }
    }

    /// Tracks dropped by ``finish()`` so far for being too short; valid after it.
    public var droppedShortTracks: Int {
        closed.count { $0.observations.count < configuration.minimumObservations }
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
