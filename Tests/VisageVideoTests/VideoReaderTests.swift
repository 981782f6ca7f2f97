import Foundation
import Testing
import VisageTestSupport
import VisageCore
@testable import VisageVideo

struct VideoReaderTests {
    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func readsARealClipWithStrideAndEnd() throws {
        var options = VideoReadingOptions()
        options.stride = 5
        options.end = 2
        let reader = try VideoReader(path: Fixtures.clip!, options: options)
        #expect(reader.info.codec == "h264")
        #expect(reader.info.framesPerSecond > 20 && reader.info.framesPerSecond < 31)
        #expect(reader.info.rotation == 0)
        var frames: [VideoFrame] = []
        while let frame = try reader.next() { frames.append(frame) }
        #expect(frames.map(\.index) == Array(stride(from: 0, to: frames.count * 5, by: 5)))
        // Frames 0, 5, … up to 2 s at the clip's rate.
        let expected = Int((2 * reader.info.framesPerSecond).rounded(.down)) / 5 + 1
        #expect(frames.count == expected)
        #expect(frames.allSatisfy { $0.image.width == reader.info.width && $0.image.height == reader.info.height })
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
        // A real picture, not a blank buffer: the pixels vary.
        #expect(Set(frames[0].image.pixels).count > 100)
        #expect(try reader.next() == nil)
    }

    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func startsAtTheRequestedTime() throws {
        var options = VideoReadingOptions()
        options.start = 1.5
        options.end = 2
        let reader = try VideoReader(path: Fixtures.clip!, options: options)
        let first = try #require(try reader.next())
        let fps = reader.info.framesPerSecond
        #expect(first.timestamp >= 1.5 - 1e-6 && first.timestamp < 1.5 + 1 / fps + 1e-6)
        #expect(abs(first.index - Int((first.timestamp * fps).rounded())) == 0)
        // The same frame read from the start is the same picture: the seek lands where it says.
        var all = VideoReadingOptions()
        all.end = 2
        let sequential = try VideoReader(path: Fixtures.clip!, options: all)
        var same: VideoFrame?
        while let frame = try sequential.next(), frame.index <= first.index { same = frame }
        #expect(same?.index == first.index)
        #expect(same?.image == first.image)
    }

    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func asyncSequenceYieldsTheSameFrames() async throws {
        var options = VideoReadingOptions()
        options.stride = 10
        options.end = 1
        var indices: [Int] = []
        for try await frame in try VideoReader(path: Fixtures.clip!, options: options).frames { indices.append(frame.index) }
        #expect(indices == [0, 10, 20])
    }

    /// Frames of the real clip written with a 90° display matrix, as a phone records portrait
    /// video, come back upright: width and height swap and the pixels are the originals turned.
    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func rotationMetadataTurnsFramesUpright() throws {
        var options = VideoReadingOptions()
        options.end = 0.4
        let source = try VideoReader(path: Fixtures.clip!, options: options)
        var originals: [Image] = []
        while let frame = try source.next() { originals.append(frame.image.resized(width: 160, height: 96)) }
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("rotated.mp4").path
        let writer = try VideoWriter(path: path, width: 160, height: 96, framesPerSecond: 25, rotation: 90)
        for image in originals { try writer.append(image) }
        try writer.finish()

        let reader = try VideoReader(path: path)
        #expect(reader.info.rotation == 90)
        #expect(reader.info.width == 96 && reader.info.height == 160)
        let upright = try #require(try reader.next())
        #expect(upright.image.width == 96 && upright.image.height == 160)
        let expected = originals[0].applyingOrientation(.right)
        let unturned = try VideoReader(path: path, options: { var o = VideoReadingOptions(); o.appliesRotation = false; return o }())
        let stored = try #require(try unturned.next()).image
        #expect(stored.width == 160 && stored.height == 96)
        // Lossy H.264 at this size stays within a few grey levels on average.
        #expect(meanAbsoluteDifference(upright.image, expected) < 8)
        #expect(meanAbsoluteDifference(upright.image, originals[0].applyingOrientation(.left)) > 20)
    }

    @Test func zeroByteFileIsEmpty() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("empty.mp4").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: VideoError.empty(path: path)) { try VideoReader(path: path) }
        #expect(VideoError.empty(path: path).localizedDescription.contains(path))
    }

    @Test func missingFileAndFolderAreUnreadable() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.mp4").path
        #expect(throws: VideoError.unreadable(path: missing, reason: "no such file")) { try VideoReader(path: missing) }
        #expect(throws: VideoError.unreadable(path: folder.path, reason: "it is a folder")) { try VideoReader(path: folder.path) }
    }

    /// FFmpeg would wait on a named pipe for a writer and read /dev/zero forever: both are
    /// refused before it sees them.
    @Test func pipesAndDevicesAreRefusedWithoutWaiting() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipe = folder.appendingPathComponent("pipe.mp4").path
        #expect(mkfifo(pipe, 0o644) == 0)
        #expect(throws: VideoError.unreadable(path: pipe, reason: "it is a named pipe (FIFO), not a regular file")) { try VideoReader(path: pipe) }
        #expect(throws: VideoError.unreadable(path: "/dev/zero", reason: "it is not a regular file")) { try VideoReader(path: "/dev/zero") }
    }

    /// Frames over the pixel limit are refused from the header, before any is decoded (a
    /// 640×480 clip against a limit of 100,000 here; the default is 50 MP, as for images).
    @Test func framesOverThePixelLimitAreRefused() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vga.mp4").path
        let writer = try VideoWriter(path: path, width: 640, height: 480, framesPerSecond: 10)
        for _ in 0..<3 { try writer.append(Image(width: 640, height: 480)) }
        try writer.finish()
        var options = VideoReadingOptions()
        options.maxPixels = 100_000
        #expect(throws: VideoError.tooLarge(path: path, width: 640, height: 480, limit: 100_000)) { try VideoReader(path: path, options: options) }
        #expect(try VideoReader(path: path).next()?.image.width == 640, "the default limit lets it through")
    }

    @Test func textFileIsUnsupported() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.mov").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(String(repeating: "not a video at all\n", count: 200).utf8))
        let error = try #require(throws: VideoError.self) { _ = try VideoReader(path: path) }
        guard case let .unsupported(named, _) = error else { Issue.record("expected .unsupported, got \(error)"); return }
        #expect(named == path)
        #expect(error.localizedDescription.contains(path))
    }

    @Test func invalidOptionsAreRefused() throws {
        var options = VideoReadingOptions()
        options.stride = 0
        #expect(throws: VideoError.self) { try VideoReader(path: "/nonexistent.mp4", options: options) }
        options.stride = 1
        options.start = 3
        options.end = 2
        #expect(throws: VideoError.self) { try VideoReader(path: "/nonexistent.mp4", options: options) }
    }

    /// The first third of a real clip: its index (moov) is at the end, so nothing can be
    /// decoded; the error names the file and calls it damaged (re-copy), not unsupported (convert).
    @Test(.enabled(if: Fixtures.hasClip, "needs ../shared/data/videos (set VISAGE_DATA); skipped"))
    func truncatedClipIsAnErrorNamingTheFile() throws {
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.clip!))
        let path = folder.appendingPathComponent("truncated.mp4").path
        _ = FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count / 3))
        let error = try #require(throws: VideoError.self) {
            let reader = try VideoReader(path: path)
            while try reader.next() != nil {}
        }
        #expect(error.localizedDescription.contains(path))
        guard case let .corrupt(named, reason) = error else { Issue.record("expected .corrupt, got \(error)"); return }
        #expect(named == path)
        #expect(reason.contains("MP4 cut short loses its index"), "\(reason)")
    }
}

func meanAbsoluteDifference(_ a: Image, _ b: Image) -> Double {
    guard a.width == b.width, a.height == b.height else { return .infinity }
    let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    return Double(total) / Double(a.pixels.count)
}
