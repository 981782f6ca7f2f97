/// Settings for turning file bytes into an ``Image``.
///
/// ```swift
/// var options = ImageDecodingOptions()
/// options.maxPixels = 200_000_000  // a trusted gigapixel-ish scan
/// let image = try Image(contentsOf: "scan.png", options: options)
/// ```
public struct ImageDecodingOptions: Sendable, Equatable {
    /// The most pixels (stored width × height) an image may declare; larger images are
    /// refused with ``ImageError/tooLarge(source:width:height:limit:)`` straight from the
    /// header, before any pixel memory is allocated, so a 20-byte file claiming to be
    /// 60000×60000 costs nothing. Default: 50,000,000 (about 150 MB decoded, more than any
    /// phone or DSLR photo).
    public var maxPixels: Int = 50_000_000

    /// Whether to turn the pixels upright according to the EXIF orientation tag, so that
    /// coordinates match what image viewers show. Default: true. Turn it off only when
    /// the caller will apply ``Image/applyingOrientation(_:)`` itself.
    public var appliesOrientation: Bool = true

    public init(maxPixels: Int = 50_000_000, appliesOrientation: Bool = true) {
        self.maxPixels = maxPixels
        self.appliesOrientation = appliesOrientation
    }
}
