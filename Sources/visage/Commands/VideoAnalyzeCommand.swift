import ArgumentParser
import Foundation
import Visage
import VisageCore
import VisageGallery
import VisageJSON
import VisageModels
import VisageVideo

struct VideoAnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find the face tracks of a clip, with age, gender, expression and identity per track.",
        discussion: """
        Per track: the median age, the gender and expression most of its frames give (with the \
        mean probability of that label, and the share of frames that gave it), and, with \
        --gallery, who it is from the mean embedding of its 5 best frames (detection score × size). \
        --json prints one object per track, then {"summary": {"frames", "tracks", "fps"}}: frames \
        analysed and analysed frames per second of wall time (decode + analysis + tracking). \
        --annotate writes an H.264 MP4 (libx264 through libavcodec) of the analysed frames with \
        each face's box and track label; with --every N it plays N times faster.

        Examples:
          visage video analyze --json ../shared/data/videos/retalking-1.mp4
          visage video analyze --every 3 --gallery people.sqlite --annotate out/clip.mp4 clip.mov
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reading: VideoReadingArguments

    @Option(help: ArgumentHelp("Name each track from this gallery (a SQLite file made by `visage enroll`).", valueName: "file"))
    var gallery: String?

    @Option(help: ArgumentHelp("Write the analysed frames with boxes and track labels as an MP4 file.", valueName: "out.mp4"))
    var annotate: String?

    @Argument(help: "The video file.")
    var clip: String

    func validate() throws {
        if let annotate, !annotate.lowercased().hasSuffix(".mp4") { throw ValidationError("--annotate writes an MP4 file: give it a name ending in .mp4.") }
    }

    func run() async throws {
        let analyzer = try global.makeAnalyzer(tasks: [.embedding, .age, .gender, .expression])
        let galleryHandle: Gallery? = if let gallery {
            try await Gallery.open(gallery, cipher: try TemplateCipher.fromEnvironment())
        } else { nil }
        let options = reading.options(global)
        let analysis = try await offload { try VideoTool.analyze(clip, analyzer: analyzer, options: options) }
        var identities: [Int: Identification] = [:]
        if let galleryHandle {
            for track in analysis.tracks {
                if let embedding = track.identityEmbedding() { identities[track.id] = try await galleryHandle.identify(embedding: embedding) }
            }
        }
        for track in analysis.tracks {
            let summary = TrackSummary(track: track)
            let identity = identities[track.id]
            printNow(global.json ? Self.json(track, summary, identity).rendered : Self.text(track, summary, identity))
        }
        let fps = analysis.framesPerSecond
        if global.json {
            printNow(JSONValue.object([("summary", .object([
                ("frames", .integer(analysis.framesAnalyzed)), ("tracks", .integer(analysis.tracks.count)), ("fps", .number(fps, decimals: 2)),
            ]))]).rendered)
        } else {
            printNow("\(analysis.framesAnalyzed) frames analysed, \(analysis.tracks.count) track\(analysis.tracks.count == 1 ? "" : "s")"
                + (analysis.droppedShortTracks > 0 ? " (\(analysis.droppedShortTracks) shorter than 3 frames dropped)" : "")
                + String(format: ", %.2f frames/s", fps))
        }
        if let annotate {
            let names = identities
            let encoder = try await offload { try analysis.writeAnnotated(to: annotate) { Self.label($0, names[$0.id]) } }
            if !global.json { printNow("annotated video (\(encoder)) written to: \(annotate)") }
        }
    }

    static func label(_ track: FaceTrack, _ identity: Identification?) -> String {
        "track \(track.id)" + (identity?.match.map { " \($0.name)" } ?? "")
    }

    static func text(_ track: FaceTrack, _ summary: TrackSummary, _ identity: Identification?) -> String {
        var parts = ["track \(track.id): frames \(track.firstFrame)-\(track.lastFrame), \(track.observations.count) with a face"]
        if track.reentries > 0 { parts.append("\(track.reentries) re-entr\(track.reentries == 1 ? "y" : "ies")") }
        if let age = summary.age { parts.append(String(format: "age %.0f", age)) }
        if let gender = summary.gender { parts.append(String(format: "%@ %.2f", gender.label.rawValue, gender.confidence)) }
        if let expression = summary.expression { parts.append(String(format: "%@ %.2f", expression.label.rawValue, expression.confidence)) }
        if let identity {
            parts.append(identity.match.map { String(format: "identity %@ (%.3f)", $0.name, $0.similarity) } ?? "identity unknown")
        }
        return parts.joined(separator: ", ")
    }

    static func json(_ track: FaceTrack, _ summary: TrackSummary, _ identity: Identification?) -> JSONValue {
        func vote<Label>(_ vote: TrackVote<Label>?, name: (Label) -> String) -> JSONValue {
            guard let vote else { return .null }
            return .object([("label", .string(name(vote.label))), ("confidence", .number(vote.confidence, decimals: 4)),
                            ("share", .number(vote.share, decimals: 4))])
        }
        let identityJSON: JSONValue = identity?.match.map {
            .object([("id", .integer(Int($0.personID))), ("name", .string($0.name)), ("similarity", .number($0.similarity, decimals: 4))])
        } ?? .null
        return .object([
            ("track", .integer(track.id)),
            ("first_frame", .integer(track.firstFrame)),
            ("last_frame", .integer(track.lastFrame)),
            ("frames", .integer(track.observations.count)),
            ("age", summary.age.map { .number($0, decimals: 1) } ?? .null),
            ("gender", vote(summary.gender) { $0.rawValue }),
            ("expression", vote(summary.expression) { $0.rawValue }),
            ("identity", identityJSON),
        ])
    }
}
