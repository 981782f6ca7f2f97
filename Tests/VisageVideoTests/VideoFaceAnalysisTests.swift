import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
@testable import VisageVideo

/// The whole path on a real clip: decode, analyse (the set-up step's models), track, summarise, replay.
struct VideoFaceAnalysisTests {
    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func oneSpeakerIsOneTrack() throws {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding, .age, .gender]
        let analyzer = try FaceAnalyzer(configuration: configuration)
        var reading = VideoReadingOptions()
        reading.stride = 10
        reading.end = 2.5
        let analysis = try VideoFaceAnalysis(analyzer: analyzer, reading: reading).run(path: Fixtures.clip!)
        #expect(analysis.framesAnalyzed == 7)  // frames 0, 10, …, 60 of a 25 fps clip
        #expect(analysis.tracks.count == 1)
        let track = try #require(analysis.tracks.first)
        #expect(track.observations.count >= 6)
        #expect(track.observations.allSatisfy { $0.frameIndex % 10 == 0 })
        let summary = TrackSummary(track: track)
        #expect((summary.age ?? 0) > 10 && (summary.age ?? 100) < 80)
        #expect(summary.gender != nil)
        #expect(track.identityEmbedding()?.count == 128)

        // The replay hands back the same frames with the track's faces in them.
        var replayed = 0
        try VideoFaceAnalysis.replay(analysis) { frame, tracked in
            #expect(frame.index % 10 == 0)
            for (_, observation) in tracked {
                #expect(observation.frameIndex == frame.index)
                replayed += 1
            }
        }
        #expect(replayed == track.observations.count)
    }
}
