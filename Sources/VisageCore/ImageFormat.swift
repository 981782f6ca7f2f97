/// An image file format Visage reads (all three) or writes (JPEG and PNG).
///
/// Reading goes by the first bytes of the data, never by the file name, so a PNG
/// saved as `photo.jpg` still decodes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    case jpeg
    case png
    case webp

    /// The name people use for the format, as in "JPEG".
    public var name: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WebP"
        }
    }

    static let supportedFormatNames = "JPEG, PNG and WebP"

    /// File-name extensions (lower case) that folder walkers take for images: the one list
    /// every command and data set reader uses. Decoding itself goes by content, not by name.
    public static let fileExtensions: Set<String> = ["jpg", "jpeg", "png", "webp"]

    /// Whether `path` has one of ``fileExtensions`` (any case).
    public static func hasImageExtension(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return fileExtensions.contains(path[path.index(after: dot)...].lowercased())
    }

    /// The format whose signature starts `bytes`, or nil when none does.
    public init?(signatureOf bytes: [UInt8]) {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: Array("RIFF".utf8)), bytes.count >= 12, Array(bytes[8..<12]) == Array("WEBP".utf8) {
            self = .webp
        } else {
            return nil
        }
    }

    /// What the first bytes of a file say: one of our formats, one of them with a damaged
    /// header (re-copy it), or something else (convert it). The one decision both the file
    /// reader (on the first 512 bytes, before reading the rest) and the decoder make.
    enum Recognition: Equatable {
        case format(ImageFormat)
        case damaged(reason: String)
        case unsupported(detail: String)
    }

    static func recognise(_ bytes: [UInt8]) -> Recognition {
        if let format = ImageFormat(signatureOf: bytes) { return .format(format) }
        if let damage = damagedSignature(bytes) { return .damaged(reason: damage) }
        return .unsupported(detail: describeUnsupported(bytes))
    }

    /// Whether `bytes` hold `signature` at `offset`.
    private static func matches(_ bytes: [UInt8], _ signature: [UInt8], at offset: Int) -> Bool {
        bytes.count >= offset + signature.count && bytes[offset..<offset + signature.count].elementsEqual(signature)
    }

    /// Why `bytes`, which no signature matched, still look like one of our formats with a
    /// damaged header; nil when they do not. Such a file needs re-copying, not converting,
    /// so it is reported as damaged rather than as an unknown format.
    private static func damagedSignature(_ bytes: [UInt8]) -> String? {
        func at(_ offset: Int, _ signature: [UInt8]) -> Bool { matches(bytes, signature, at: offset) }
        let riff = Array("RIFF".utf8), webp = Array("WEBP".utf8)
        // Evidence besides the signature: PNG's first chunk is always IHDR; a JPEG from a camera
        // or an editor opens with a JFIF or Exif segment.
        if at(0, [0x89, 0x50, 0x4E, 0x47]) || at(12, Array("IHDR".utf8)) {
            // The PNG signature holds a CR LF and a lone LF precisely so that a transfer that
            // rewrites line endings (FTP in ASCII mode, a text editor) is caught at the first bytes.
            if at(4, [0x0A, 0x1A, 0x0A]) || at(4, [0x0D, 0x0A, 0x1A, 0x0D, 0x0A]) || at(4, [0x0D, 0x1A, 0x0D]) {
                return "PNG: the line-ending bytes of its signature were rewritten, as a transfer in text mode does, so the rest of the file is changed too"
            }
            return "PNG: its 8-byte signature is damaged"
        }
        if at(0, [0xFF, 0xD8]) || at(6, Array("JFIF".utf8)) || at(6, Array("Exif".utf8)) {
            return "JPEG: its first markers are damaged"
        }
        let vp8Chunk = at(12, Array("VP8 ".utf8)) || at(12, Array("VP8L".utf8)) || at(12, Array("VP8X".utf8))
        if vp8Chunk, at(0, riff) || at(8, webp) {
            return "WebP: its RIFF header is damaged"
        }
        return nil
    }

    /// What unsupported bytes look like, for the error message: naming the format a
    /// user actually has tells them what to convert from.
    private static func describeUnsupported(_ bytes: [UInt8]) -> String {
        func at(_ offset: Int, _ text: String) -> Bool { matches(bytes, Array(text.utf8), at: offset) }
        if at(0, "GIF87a") || at(0, "GIF89a") { return "it is a GIF image" }
        if at(0, "BM") { return "it is a BMP image" }
        if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return "it is a TIFF image (or a camera raw file)"
        }
        if at(4, "ftyp") {
            if at(8, "avif") || at(8, "avis") { return "it is an AVIF image" }
            if at(8, "heic") || at(8, "heix") || at(8, "hevc") || at(8, "mif1") || at(8, "msf1") {
                return "it is a HEIC/HEIF image"
            }
            return "it is an MP4/QuickTime-family file, not a still image"
        }
        if bytes.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || bytes.starts(with: [0xFF, 0x4F, 0xFF, 0x51]) {
            return "it is a JPEG 2000 image"
        }
        if bytes.starts(with: [0xFF, 0x0A]) || bytes.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) {
            return "it is a JPEG XL image"
        }
        if at(0, "8BPS") { return "it is a Photoshop document" }
        if at(0, "%PDF") { return "it is a PDF document" }
        if at(0, "qoif") { return "it is a QOI image" }
        if bytes.starts(with: [0x00, 0x00, 0x01, 0x00]) { return "it is a Windows icon" }
        if at(0, "RIFF") { return "it is a RIFF file that is not WebP (AVI or WAV?)" }
        if looksLikeText(bytes) { return "it contains text, not image data" }
        let head = bytes.prefix(4).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }
        return "its first bytes (\(head.joined(separator: " "))) match no known image format"
    }

    private static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(512)
        // Tabs, newlines and printable ASCII, plus UTF-8 continuation and lead bytes.
        return head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || (0x20...0x7E).contains($0) || $0 >= 0x80 }
            && head.contains { (0x20...0x7E).contains($0) }
    }
}
