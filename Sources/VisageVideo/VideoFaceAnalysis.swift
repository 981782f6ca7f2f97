public import Visage
import VisageCore
import Foundation
import VisageModels

/// The tracks of one video and what it took to find them.
public struct VideoAnalysis: Sendable {
    public var path: String
    public var info: VideoInfo
    public var options: VideoReadingOptions
    /// Frames decoded to RGB and analysed (every `stride`-th between start and end).
    public var framesAnalyzed: Int
    public var tracks: [FaceTrack]
    /// Tracks shorter than the tracker's minimum, left out of ``tracks``.
    public var droppedShortTracks: Int
    /// Wall time of decoding, analysis and tracking together.
    public var elapsed: Duration

    /// Analysed frames per second of wall time.
    public var framesPerSecond: Double {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return seconds > 0 ? Double(framesAnalyzed) / seconds : 0
    }
}

/// Video in, face tracks out: decode → ``FaceAnalyzer`` per frame → ``FaceTracker``.
///
/// ```swift
/// let analysis = try VideoFaceAnalysis(analyzer: analyzer).run(path: "clip.mp4")
/// for track in analysis.tracks { print(track.id, track.firstFrame, TrackSummary(track: track).age ?? 0) }
/// ```
///
/// Runs on the calling thread (ONNX Runtime blocks): call it from a detached task or a plain thread.
public struct VideoFaceAnalysis: Sendable {
    public let analyzer: FaceAnalyzer
    public var reading: VideoReadingOptions
    public var tracking: FaceTracker.Configuration

    public init(analyzer: FaceAnalyzer, reading: VideoReadingOptions = .init(), tracking: FaceTracker.Configuration = .init()) {
        self.analyzer = analyzer
        self.reading = reading
        self.tracking = tracking
    }

    /// Analyses every selected frame; `progress` is told each frame's index and face count.
    public func run(path: String, progress: (VideoFrame, Int) -> Void = { _, _ in }) throws -> VideoAnalysis {
        let clock = ContinuousClock()
        let started = clock.now
        let reader = try VideoReader(path: path, options: reading)
        var tracker = FaceTracker(configuration: tracking)
        var analysed = 0
        while let frame = try reader.next() {
            var faces = try analyzer.analyzeNow(frame.image).faces
            for i in faces.indices { faces[i].alignedCrop = nil }
            tracker.update(frameIndex: frame.index, timestamp: frame.timestamp, faces: faces)
            analysed += 1
            progress(frame, faces.count)
        }
        let tracks = tracker.finish()
        return VideoAnalysis(path: path, info: reader.info, options: reading, framesAnalyzed: analysed, tracks: tracks,
                             droppedShortTracks: tracker.droppedShortTracks, elapsed: clock.now - started)
    }

    /// Reads the analysed frames again and hands each one with the tracked faces in it (track, observation):
    /// a second decode is far cheaper than keeping every frame or crop of a long clip in memory.
    public static func replay(_ analysis: VideoAnalysis, body: (VideoFrame, [(track: FaceTrack, observation: TrackObservation)]) throws -> Void) throws {
        var byFrame: [Int: [(FaceTrack, TrackObservation)]] = [:]
        for track in analysis.tracks {
            for observation in track.observations { byFrame[observation.frameIndex, default: []].append((track, observation)) }
        }
        let reader = try VideoReader(path: analysis.path, options: analysis.options)
        while let frame = try reader.next() {
            try body(frame, (byFrame[frame.index] ?? []).map { (track: $0.0, observation: $0.1) })
        }
    }
}
