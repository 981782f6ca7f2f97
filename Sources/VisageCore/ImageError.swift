public import Foundation

/// Why an image could not be read, written or built.
///
/// Each case names its `source` (a path, or the label given with in-memory data) so
/// a batch run can say which input was bad, and ``errorDescription`` adds what to do.
/// Match a case to react to one kind of failure:
///
/// ```swift
/// do {
///     let image = try Image(contentsOf: path)
/// } catch .tooLarge(_, let width, let height, _) {
///     print("skipping a \(width)×\(height) panorama")
/// }
/// ```
public enum ImageError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be read at all: missing, not permitted, a directory, a device.
    case unreadable(source: String, reason: String)
    /// The file or buffer holds zero bytes.
    case empty(source: String)
    /// The bytes are not JPEG, PNG or WebP (or are a variant of them we cannot decode),
    /// or a file name asks for a format we cannot write. `detail` says what was found.
    case unsupportedFormat(source: String, detail: String)
    /// The bytes start like a supported format but are invalid or cut short.
    case corrupt(source: String, reason: String)
    /// The header declares more pixels than ``ImageDecodingOptions/maxPixels`` allows;
    /// refused before any pixel memory is allocated.
    case tooLarge(source: String, width: Int, height: Int, limit: Int)
    /// The file is larger than any image Visage reads (1 GiB); refused before it is read.
    case fileTooLarge(source: String, bytes: Int, limit: Int)
    /// A progressive JPEG with more scans than ``ImageDecodingOptions/maxProgressiveScans``.
    /// Each scan makes the decoder go over every block of the picture again, so a small file of
    /// thousands of tiny scans held it for minutes (a known decoding-time attack); decoding stops
    /// at the first scan past the limit.
    case tooManyScans(source: String, limit: Int)
    /// ``Image/init(width:height:pixels:)`` was given a buffer that does not match its dimensions.
    case invalidPixelBuffer(width: Int, height: Int, count: Int)
    /// Encoding failed inside libjpeg or libpng (in practice: out of memory).
    case encodingFailed(format: ImageFormat, reason: String)
    /// The encoded bytes could not be written to `destination`.
    case unwritable(destination: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .unreadable(source, reason):
            return "Cannot read \(source): \(reason). Check that the path names an image file you can read."
        case let .empty(source):
            return "\(source) is empty (0 bytes). Re-copy or re-download it."
        case let .unsupportedFormat(source, detail):
            return "\(source) is not an image Visage can use: \(detail). "
                + "Supported formats are \(ImageFormat.supportedFormatNames); convert it to one of them."
        case let .corrupt(source, reason):
            return "\(source) is damaged or incomplete (\(reason)). Re-copy or re-export the file."
        case let .tooLarge(source, width, height, limit):
            return "\(source) is \(width)×\(height) pixels, over the limit of \(limit) pixels. "
                + "Downscale it, or raise ImageDecodingOptions.maxPixels if you trust the file."
        case let .fileTooLarge(source, bytes, limit):
            return "\(source) is \(bytes / (1 << 20)) MiB, more than the \(limit / (1 << 20)) MiB of the largest image Visage reads; "
                + "no photo is that large, so check that the path names an image (not a video or an archive)."
        case let .tooManyScans(source, limit):
            return "\(source) is a progressive JPEG of more than \(limit) scans, refused: cameras and encoders write about 10, "
                + "and each scan makes the decoder go over the whole picture again, so thousands of them are a way to stall it. "
                + "If the picture is genuine, re-encode it (as a baseline JPEG, or PNG)."
        case let .invalidPixelBuffer(width, height, count):
            return "A \(width)×\(height) RGB image needs positive dimensions and \(width)×\(height)×3 bytes, "
                + "but \(count) were given."
        case let .encodingFailed(format, reason):
            return "Could not encode the image as \(format.name): \(reason)."
        case let .unwritable(destination, reason):
            return "Cannot write \(destination): \(reason). Check that the folder exists and is writable."
        }
    }
}
