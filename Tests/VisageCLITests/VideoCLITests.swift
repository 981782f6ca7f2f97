import Foundation
import Testing
import VisageTestSupport

/// `visage video …` as a user runs it, on a real clip of the shared data when present.
struct VideoCLITests {
    static var clip: String? { Fixtures.data("videos/retalking-5.mp4") }

    static var hasClip: Bool { clip != nil }

    /// The JSON lines are the documented shape: one object per track with its keys in order, then the summary.
    @Test(.enabled(if: hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func analyzeJSONHasTheDocumentedShape() throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-video-cli")
        let annotated = folder + "/annotated.mp4"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let run = try CLITests.visage("video", "analyze", "--json", "--every", "10", "--end", "3", "--annotate", annotated, Self.clip!)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.lines
        #expect(lines.count == 2)  // one speaker, one track, then the summary
        let first = try #require(lines.first)
        let track = try CLITests.object(first)
        #expect(CLITests.keyOrder(lines[0]).prefix(8) == ["track", "first_frame", "last_frame", "frames", "age", "gender", "label", "confidence"])
        #expect(track["track"] as? Int == 1)
        #expect((track["frames"] as? Int ?? 0) >= 6)
        #expect(track["identity"] is NSNull)
        let expression = try #require(track["expression"] as? [String: Any])
        #expect(expression["label"] is String)
        let last = try #require(lines.last)
        let summary = try #require(try CLITests.object(last)["summary"] as? [String: Any])
        #expect(summary["tracks"] as? Int == 1)
        #expect((summary["frames"] as? Int ?? 0) >= 6)
        #expect((summary["fps"] as? Double ?? 0) > 0)
        let size = (try? FileManager.default.attributesOfItem(atPath: annotated)[.size] as? Int) ?? 0
        #expect(size > 1000)
    }

    @Test(.enabled(if: hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func tracksWritesCropsPerTrack() throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-video-tracks")
        let run = try CLITests.visage("video", "tracks", "--json", "--every", "15", "--end", "3", Self.clip!, folder)
        #expect(run.status == 0, "\(run.stderr)")
        let first = try #require(run.lines.first)
        let line = try CLITests.object(first)
        let crops = try FileManager.default.contentsOfDirectory(atPath: folder + "/track-1").filter { $0.hasPrefix("frame-") && $0.hasSuffix(".png") }
        #expect(crops.count == line["frames"] as? Int)
        #expect(crops.contains("frame-0.png"))
    }

    @Test func brokenVideoExitsThreeNamingTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("visage-broken-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("this is not a video".utf8).write(to: URL(fileURLWithPath: path))
        let run = try CLITests.visage("video", "analyze", path)
        #expect(run.status == 3)
        #expect(run.stderr.contains(path))
        let empty = path + ".empty.mp4"
        defer { try? FileManager.default.removeItem(atPath: empty) }
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let emptyRun = try CLITests.visage("video", "tracks", empty, path + "-out")
        #expect(emptyRun.status == 3)
        #expect(emptyRun.stderr.contains("\(empty) is empty"))
    }

    /// FFmpeg is loaded when a video is first opened, not linked: the executable does not need it
    /// to start, and without it a video command says which library is missing and how to provide
    /// it (exit 1, a set-up problem, not a bad file).
    @Test(.enabled(if: hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func ffmpegIsLoadedOnlyForVideo() throws {
        let arguments = ["video", "analyze", "--every", "10", "--end", "1", Self.clip!]
        let missing = try CLITests.visage(arguments, environment: ["VISAGE_FFMPEG_DIR": "/nonexistent/ffmpeg"])
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("FFmpeg, which video needs, cannot be loaded: /nonexistent/ffmpeg/libavutil.so."), "\(missing.stderr)")
        #expect(!missing.stderr.contains("damaged"))
        // A folder holding the libraries works as the loader's search path does.
        let debian = "/usr/lib/x86_64-linux-gnu"
        if FileManager.default.fileExists(atPath: debian + "/libavformat.so.59") {
            let named = try CLITests.visage(arguments, environment: ["VISAGE_FFMPEG_DIR": debian])
            #expect(named.status == 0, "\(named.stderr)")
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/ldd") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
            process.arguments = [CLITests.binary.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let linked = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(linked.contains("libc.so") && !linked.contains("libavformat") && !linked.contains("libavcodec"), "\(linked)")
        }
    }

    @Test func usageErrorsExitSixtyFour() throws {
        #expect(try CLITests.visage("video", "analyze", "--every", "0", "x.mp4").status == 64)
        #expect(try CLITests.visage("video", "analyze", "--annotate", "out.avi", "x.mp4").status == 64)
    }
}
