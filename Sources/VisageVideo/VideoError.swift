internal import CVideoCodecs
public import Foundation

/// Why a video could not be read or written.
///
/// Each case names the file, so a batch run says which clip was bad, and ``errorDescription``
/// adds what to do.
public enum VideoError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be read at all: missing, not permitted, a directory.
    case unreadable(path: String, reason: String)
    /// The file holds zero bytes.
    case empty(path: String)
    /// FFmpeg does not recognise the container, or finds no video stream it can decode.
    case unsupported(path: String, detail: String)
    /// The container opened but its frames could not be decoded (damaged or cut short).
    case corrupt(path: String, reason: String)
    /// The frames are larger than ``VideoReadingOptions/maxPixels``; refused before decoding.
    case tooLarge(path: String, width: Int, height: Int, limit: Int)
    /// The annotated video could not be encoded or written.
    case unwritable(path: String, reason: String)
    /// A reading option is out of range (negative stride, end before start).
    case invalidOptions(String)
    /// FFmpeg's libraries, loaded when the first video is opened, are not on this machine (or
    /// not the major versions Visage was built against).
    case ffmpegUnavailable(reason: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(path, reason):
            return "Cannot read \(path): \(reason). Check that the path names a video file you can read."
        case let .empty(path):
            return "\(path) is empty (0 bytes). Re-copy or re-download it."
        case let .unsupported(path, detail):
            return "\(path) is not a video Visage can decode: \(detail). "
                + "Supported are the containers and codecs of Debian's FFmpeg (MP4, MOV, WebM, …); convert it to H.264 MP4."
        case let .corrupt(path, reason):
            return "\(path) is damaged or incomplete (\(reason)). Re-copy or re-export the file."
        case let .tooLarge(path, width, height, limit):
            return "\(path) has frames of \(width)×\(height) pixels, over the limit of \(limit) pixels a frame. "
                + "Scale it down (ffmpeg -vf scale=1920:-2), or raise the limit (--max-pixels, VideoReadingOptions.maxPixels) if you trust the file."
        case let .unwritable(path, reason):
            return "Cannot write \(path): \(reason). Check that the folder exists and is writable."
        case let .invalidOptions(message):
            return message
        case let .ffmpegUnavailable(reason):
            return reason
        }
    }
}

/// The text FFmpeg's shim wrote into a NUL-terminated buffer.
func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Loads FFmpeg, or says why it cannot be: checked before a video is opened, so that a missing
/// library is not reported as a damaged file.
func requireFFmpeg() throws(VideoError) {
    var message = [CChar](repeating: 0, count: 512)
    guard vc_ffmpeg_available(&message, message.count) == 0 else { throw .ffmpegUnavailable(reason: text(of: message)) }
}
