import ArgumentParser
import Foundation
import Visage
import VisageVideo

struct VideoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Faces in video files (MP4, MOV, WebM, … through Debian's FFmpeg): tracks, their attributes, their crops.",
        discussion: """
        Frames are decoded with FFmpeg, turned upright from the rotation metadata, analysed one at \
        a time and linked into tracks (box overlap plus SFace similarity; a face that leaves and \
        returns within 2 s keeps its track; tracks seen in fewer than 3 analysed frames are dropped). \
        A file FFmpeg cannot read exits 3 with a message naming it.

        Examples:
          visage video analyze --every 5 --json ../shared/data/videos/retalking-1.mp4
          visage video tracks ../shared/data/videos/retalking-1.mp4 out/tracks/retalking-1
        """,
        subcommands: [VideoAnalyzeCommand.self, VideoTracksCommand.self]
    )
}

/// Reading options shared by the `video` subcommands.
struct VideoReadingArguments: ParsableArguments {
    @Option(help: "Analyse every N-th frame (1: every frame).")
    var every: Int = 1

    @Option(help: ArgumentHelp("Start this many seconds into the clip.", valueName: "seconds"))
    var start: Double = 0

    @Option(help: ArgumentHelp("Stop this many seconds into the clip (default: the end).", valueName: "seconds"))
    var end: Double?

    func validate() throws {
        if every < 1 { throw ValidationError("--every must be at least 1.") }
        try validateFinite(start, "--start")
        if start < 0 { throw ValidationError("--start must not be negative.") }
        if let end, !(end > start) { throw ValidationError("--end must come after --start.") }
    }

    /// The reading options, with the global `--max-pixels` as the frame limit too.
    func options(_ global: GlobalOptions) -> VideoReadingOptions {
        var options = VideoReadingOptions()
        options.stride = every
        options.start = start
        options.end = end
        if let maxPixels = global.maxPixels { options.maxPixels = maxPixels }
        return options
    }
}

enum VideoTool {
    /// Runs the analysis of `path` with progress on stderr every 100 frames; a video that cannot
    /// be read prints its message and exits 3 (1 when FFmpeg itself cannot be loaded).
    static func analyze(_ path: String, analyzer: FaceAnalyzer, options: VideoReadingOptions) throws -> VideoAnalysis {
        let name = URL(fileURLWithPath: path).lastPathComponent
        do {
            var count = 0
            return try VideoFaceAnalysis(analyzer: analyzer, reading: options).run(path: path) { frame, _ in
                count += 1
                if count % 100 == 0 { printError("\(name): \(count) frames analysed (frame \(frame.index), \(String(format: "%.1f", frame.timestamp)) s)") }
            }
        } catch let error as VideoError {
            // A missing FFmpeg is this machine's set-up, not a bad file: exit 1 as for missing models.
            if case .ffmpegUnavailable = error { throw CommandFailure(error.localizedDescription) }
            printError(error.localizedDescription)
            throw VisageExitCode.badInput
        }
    }
}
