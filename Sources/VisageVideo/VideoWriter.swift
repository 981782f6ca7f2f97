internal import CVideoCodecs
public import VisageCore

/// Writes RGB frames into an MP4 file through FFmpeg: H.264 with libx264 when Debian's
/// libavcodec has it (it does), MPEG-4 part 2 otherwise.
///
/// ```swift
/// let writer = try VideoWriter(path: "annotated.mp4", width: 640, height: 360, framesPerSecond: 25)
/// try writer.append(frame)   // every frame the same size
/// try writer.finish()
/// ```
///
/// Odd widths or heights lose their last column or row (4:2:0 chroma needs even sizes).
public final class VideoWriter {
    public let path: String
    public let width: Int
    public let height: Int
    /// FFmpeg's name of the encoder in use (`libx264` or `mpeg4`).
    public let encoder: String
    private var handle: OpaquePointer?

    /// - Parameter rotation: clockwise degrees stored as display-matrix metadata (default 0),
    ///   as a phone records a portrait clip; the pixels themselves are written as given.
    public init(path: String, width: Int, height: Int, framesPerSecond: Double, rotation: Int = 0) throws(VideoError) {
        guard width >= 2, height >= 2 else { throw .unwritable(path: path, reason: "frames of \(width)×\(height) are too small to encode") }
        self.path = path
        self.width = width
        self.height = height
        // A rational rate FFmpeg accepts: thousandths of a frame per second.
        let numerator = Int32(max(1, (framesPerSecond * 1000).rounded()))
        try requireFFmpeg()
        var writer: OpaquePointer?
        var name = [CChar](repeating: 0, count: 32)
        var message = [CChar](repeating: 0, count: 256)
        guard vc_writer_open(path, Int32(width), Int32(height), numerator, 1000, Int32(rotation), &writer,
                             &name, name.count, &message, message.count) == 0, let writer else {
            throw .unwritable(path: path, reason: text(of: message))
        }
        handle = writer
        encoder = text(of: name)
    }

    deinit {
        if let handle {
            var message = [CChar](repeating: 0, count: 256)
            _ = vc_writer_finish(handle, &message, message.count)
        }
    }

    /// Encodes one frame; it must have the writer's size.
    public func append(_ image: Image) throws(VideoError) {
        guard let handle else { throw .unwritable(path: path, reason: "the writer is already finished") }
        guard image.width == width, image.height == height else {
            throw .unwritable(path: path, reason: "a \(image.width)×\(image.height) frame in a \(width)×\(height) video")
        }
        var message = [CChar](repeating: 0, count: 256)
        let result = image.pixels.withUnsafeBufferPointer { vc_writer_add(handle, $0.baseAddress, &message, message.count) }
        if result != 0 { throw .unwritable(path: path, reason: text(of: message)) }
    }

    /// Flushes the encoder and writes the MP4 index; the file is playable only after this.
    public func finish() throws(VideoError) {
        guard let handle else { return }
        self.handle = nil
        var message = [CChar](repeating: 0, count: 256)
        if vc_writer_finish(handle, &message, message.count) != 0 { throw .unwritable(path: path, reason: text(of: message)) }
    }
}
