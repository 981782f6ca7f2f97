internal import CVideoCodecs
public import VisageCore
import Foundation

/// What the container says about a video stream, before any frame is decoded.
public struct VideoInfo: Sendable, Hashable {
    /// Upright frame size: the coded size with ``rotation`` applied.
    public var width: Int
    public var height: Int
    /// Clockwise degrees (0, 90, 180, 270) from the display matrix that make the picture upright;
    /// phones record portrait clips this way.
    public var rotation: Int
    /// Average frame rate; 0 when the container does not say.
    public var framesPerSecond: Double
    /// Seconds; 0 when unknown.
    public var duration: Double
    /// Frames the container declares; 0 when unknown.
    public var declaredFrameCount: Int
    /// FFmpeg's names of the decoder and the container format (`h264`, `mov,mp4,m4a,3gp,3g2,mj2`).
    public var codec: String
    public var container: String
}

/// One decoded frame, upright.
public struct VideoFrame: Sendable {
    /// Position in the stream counted from its first frame (0-based), whatever the stride.
    public var index: Int
    /// Presentation time in seconds from the start of the stream.
    public var timestamp: Double
    public var image: Image
}

/// Which frames to return, with their defaults.
public struct VideoReadingOptions: Sendable, Hashable {
    /// Return every `stride`-th frame (1 = all; default 1). Skipped frames are decoded, because
    /// inter-coded frames depend on them, but not converted to RGB.
    public var stride: Int = 1
    /// Seconds into the stream to start at (default 0); the reader seeks to the key frame before it.
    public var start: Double = 0
    /// Seconds into the stream after which to stop (default nil: the end).
    public var end: Double?
    /// Turn frames upright from the display matrix (default true), as players do.
    public var appliesRotation: Bool = true
    /// Decoder threads (default 1: the face models want the cores).
    public var decoderThreads: Int = 1
    /// The most pixels a frame may have (coded width × height, default 50,000,000, as for
    /// images): a larger stream is refused with ``VideoError/tooLarge(path:width:height:limit:)``
    /// before a frame is decoded. A container may declare frames of 65535 × 65535, whose
    /// decoding would take gigabytes a frame.
    public var maxPixels: Int = 50_000_000

    public init() {}
}

/// Reads the frames of a video file through FFmpeg (Debian's libavformat/libavcodec/libswscale).
///
/// ```swift
/// var options = VideoReadingOptions()
/// options.stride = 5
/// let reader = try VideoReader(path: "clip.mp4", options: options)
/// while let frame = try reader.next() {
///     print(frame.index, frame.timestamp, frame.image.width)
/// }
/// ```
///
/// A reader is a cursor over one file and is not shared between tasks; ``frames`` wraps it as an
/// `AsyncSequence`.
public final class VideoReader {
    public let path: String
    public let info: VideoInfo
    public let options: VideoReadingOptions

    private var handle: OpaquePointer?
    private let codedWidth: Int
    private let codedHeight: Int
    /// Frames decoded, including those before the start time and those the stride skips.
    private var decodedCount = 0
    /// Stream index of the next decoded frame; nil until the start time is reached.
    private var nextIndex: Int?
    /// Stream index of the first frame returned: the stride counts from it.
    private var firstIndex = 0
    private var finished = false

    public init(path: String, options: VideoReadingOptions = .init()) throws(VideoError) {
        guard options.stride >= 1 else { throw .invalidOptions("The frame stride must be at least 1, got \(options.stride).") }
        guard options.start >= 0 else { throw .invalidOptions("The start time must not be negative, got \(options.start).") }
        if let end = options.end, end <= options.start {
            throw .invalidOptions("The end time (\(end) s) must come after the start time (\(options.start) s).")
        }
        try Self.checkFile(path)
        try requireFFmpeg()
        self.path = path
        self.options = options
        var raw = vc_info()
        var reader: OpaquePointer?
        var message = [CChar](repeating: 0, count: 256)
        guard vc_reader_open(path, Int32(options.decoderThreads), &reader, &raw, &message, message.count) == 0, let reader else {
            throw Self.openingError(path: path, ffmpegMessage: text(of: message))
        }
        handle = reader
        codedWidth = Int(raw.width)
        codedHeight = Int(raw.height)
        let rotation = options.appliesRotation ? Int(raw.rotation) : 0
        let swaps = rotation == 90 || rotation == 270
        info = VideoInfo(
            width: swaps ? codedHeight : codedWidth, height: swaps ? codedWidth : codedHeight, rotation: Int(raw.rotation),
            framesPerSecond: raw.fps, duration: raw.duration, declaredFrameCount: Int(raw.frame_count),
            codec: withUnsafeBytes(of: raw.codec) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
            container: withUnsafeBytes(of: raw.container) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        )
        // Every stored property is set, so throwing from here runs deinit, which closes the reader.
        guard codedWidth * codedHeight <= options.maxPixels else {
            throw .tooLarge(path: path, width: codedWidth, height: codedHeight, limit: options.maxPixels)
        }
        if options.start > 0 {
            guard vc_reader_seek(reader, options.start, &message, message.count) == 0 else {
                throw .corrupt(path: path, reason: text(of: message))
            }
        }
    }

    deinit { vc_reader_close(handle) }

    /// The next frame the options select, or nil at the end.
    public func next() throws(VideoError) -> VideoFrame? {
        guard !finished, let handle else { return nil }
        var message = [CChar](repeating: 0, count: 256)
        var pixels = [UInt8](repeating: 0, count: codedWidth * codedHeight * 3)
        while true {
            var seconds = 0.0
            var damaged: Int32 = 0
            // Before the start time a frame's index is unknown, so every candidate is converted;
            // after it, only the frames the stride keeps.
            let converts = nextIndex.map { ($0 - firstIndex) % options.stride == 0 } ?? true
            let result = pixels.withUnsafeMutableBufferPointer { buffer in
                vc_reader_next(handle, converts ? buffer.baseAddress : nil, &seconds, &damaged, &message, message.count)
            }
            if result < 0 { throw .corrupt(path: path, reason: text(of: message)) }
            if result == 0 {
                finished = true
                if decodedCount == 0 {
                    throw .corrupt(path: path, reason: damaged > 0 ? "no frame could be decoded" : "the video stream holds no frames")
                }
                return nil
            }
            decodedCount += 1
            let timestamp = seconds >= 0 ? seconds : Double(decodedCount - 1) / max(info.framesPerSecond, 1)
            if nextIndex == nil {
                // Frames before the requested start come from the key frame the seek landed on.
                if timestamp + 1e-6 < options.start { continue }
                firstIndex = options.start > 0 && info.framesPerSecond > 0 ? Int((timestamp * info.framesPerSecond).rounded()) : 0
                nextIndex = firstIndex
            }
            let index = nextIndex!
            nextIndex = index + 1
            if let end = options.end, timestamp > end + 1e-6 {
                finished = true
                return nil
            }
            guard converts else { continue }
            var image: Image
            do {
                image = try Image(width: codedWidth, height: codedHeight, pixels: pixels)
            } catch {
                throw .corrupt(path: path, reason: error.localizedDescription)
            }
            if options.appliesRotation, let orientation = Self.orientation(forClockwiseDegrees: info.rotation) {
                image = image.applyingOrientation(orientation)
            }
            return VideoFrame(index: index, timestamp: timestamp, image: image)
        }
    }

    /// The EXIF orientation that turns a frame clockwise by `degrees`, as a display matrix asks.
    static func orientation(forClockwiseDegrees degrees: Int) -> EXIFOrientation? {
        switch degrees {
        case 90: .right
        case 180: .down
        case 270: .left
        default: nil
        }
    }

    /// A file that starts like a container FFmpeg reads but will not open is damaged or cut
    /// short (re-copy it), not a format to convert from.
    private static func openingError(path: String, ffmpegMessage: String) -> VideoError {
        guard let container = containerFamily(of: path) else { return .unsupported(path: path, detail: ffmpegMessage) }
        // MP4 and QuickTime files written in one pass keep their index (the moov box) at the
        // end, so a copy cut short has frames but nothing that says where they are.
        let hint = container == "MP4/QuickTime" ? "; an MP4 cut short loses its index, which most encoders write last" : ""
        return .corrupt(path: path, reason: "it starts as \(container) but FFmpeg cannot open it: \(ffmpegMessage)\(hint)")
    }

    /// The container family the first bytes of `path` announce, when they announce one FFmpeg reads.
    private static func containerFamily(of path: String) -> String? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let head = try? file.read(upToCount: 12).map(Array.init), head.count == 12 else { return nil }
        let boxType = String(decoding: head[4..<8], as: UTF8.self)
        if ["ftyp", "moov", "mdat", "free", "wide", "skip"].contains(boxType) { return "MP4/QuickTime" }
        if head.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return "Matroska/WebM" }
        if head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("AVI ".utf8) { return "AVI" }
        return nil
    }

    /// Missing, unreadable and empty files get their own errors before FFmpeg sees them;
    /// its messages for those ("Invalid data found when processing input") would mislead.
    private static func checkFile(_ path: String) throws(VideoError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw .unreadable(path: path, reason: "it is a folder") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path: path, reason: "permission denied") }
        // FFmpeg would wait on a named pipe for a writer, and read a device such as /dev/zero forever.
        if let refusal = FileKind(of: path).refusal { throw .unreadable(path: path, reason: refusal) }
        if (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int == 0 { throw .empty(path: path) }
    }
}

extension VideoReader {
    /// The selected frames as an `AsyncSequence`; decoding runs on the caller's task.
    public var frames: VideoFrames { VideoFrames(reader: self) }
}

/// ``VideoReader``'s frames as an `AsyncSequence`.
public struct VideoFrames: AsyncSequence {
    public typealias Element = VideoFrame
    let reader: VideoReader

    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: VideoReader
        public mutating func next() async throws(VideoError) -> VideoFrame? { try reader.next() }
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(VideoError) -> VideoFrame? { try reader.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}
