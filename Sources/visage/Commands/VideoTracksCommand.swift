import ArgumentParser
import Foundation
import Visage
import VisageCore
import VisageJSON
import VisageModels
import VisageVideo

struct VideoTracksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracks",
        abstract: "Write each face track's aligned crops: OUT/track-N/frame-K.png (a training set).",
        discussion: """
        Crops are 112×112, aligned on the five landmarks to the ArcFace template that SFace uses \
        (eyes, nose and mouth at fixed places), so frames of one track differ by expression and \
        pose rather than position. K is the frame's index in the clip. Prints one line per track \
        (with --json: {"track", "first_frame", "last_frame", "frames", "folder"}).

        Examples:
          visage video tracks ../shared/data/videos/retalking-1.mp4 out/tracks/retalking-1
          visage video tracks --every 2 --end 10 clip.mov out/tracks/clip
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reading: VideoReadingArguments

    @Argument(help: "The video file.")
    var clip: String

    @Argument(help: "Folder to write the track folders into (created when missing).")
    var output: String

    func run() async throws {
        try OutputPath.makeFolder(output)  // a file in the way fails now, not after the whole clip
        // Embeddings link the tracks; age, gender and expression are not needed here.
        let analyzer = try global.makeAnalyzer(tasks: [.embedding])
        let options = reading.options(global)
        let analysis = try await offload { try VideoTool.analyze(clip, analyzer: analyzer, options: options) }
        let root = URL(fileURLWithPath: output, isDirectory: true)
        try await offload {
            for track in analysis.tracks {
                try FileManager.default.createDirectory(at: root.appendingPathComponent("track-\(track.id)"), withIntermediateDirectories: true)
            }
            try VideoFaceAnalysis.replay(analysis) { frame, tracked in
                for (track, observation) in tracked {
                    guard let crop = FaceAlignment.arcFaceCrop(of: frame.image, landmarks: observation.face.landmarks)?.crop else { continue }
                    try crop.write(to: root.appendingPathComponent("track-\(track.id)/frame-\(observation.frameIndex).png").path)
                }
            }
        }
        for track in analysis.tracks {
            let folder = root.appendingPathComponent("track-\(track.id)").path
            if global.json {
                printNow(JSONValue.object([
                    ("track", .integer(track.id)), ("first_frame", .integer(track.firstFrame)), ("last_frame", .integer(track.lastFrame)),
                    ("frames", .integer(track.observations.count)), ("folder", .string(folder)),
                ]).rendered)
            } else {
                printNow("track \(track.id): \(track.observations.count) crops (frames \(track.firstFrame)-\(track.lastFrame)) in \(folder)")
            }
        }
    }
}
