extension Image {
    /// Decodes the JPEG, PNG or WebP file at `path` to upright RGB.
    ///
    /// The format comes from the file's first bytes, not its name. Grey, palette, 16-bit
    /// and alpha images all become 8-bit RGB (alpha is dropped); CMYK JPEGs are converted.
    ///
    /// - Throws: ``ImageError``: `.unreadable`, `.empty`, `.unsupportedFormat`, `.corrupt`
    ///   (including truncated files), `.fileTooLarge` (over 1 GiB), `.tooLarge` or `.tooManyScans`.
    public init(contentsOf path: String, options: ImageDecodingOptions = .init()) throws(ImageError) {
        try self.init(data: LocalFile.contents(of: path), source: path, options: options)
    }

    /// Decodes an encoded JPEG, PNG or WebP image held in memory.
    ///
    /// - Parameter source: names the data in error messages, such as an upload's file name.
    public init(data: [UInt8], source: String = "in-memory image", options: ImageDecodingOptions = .init())
        throws(ImageError)
    {
        let format = try Self.format(of: data, source: source)
        let orientation = options.appliesOrientation ? EXIFOrientation.read(from: data, format: format) : .up
        // The region is asked for upright; the codec works on the stored pixels, whose (reduced)
        // size it learns from the header: turn it into the stored region then.
        let regionOf = options.region.map { region in
            { (storedWidth: Int, storedHeight: Int) -> PixelRegion in
                let (w, h) = orientation.swapsDimensions ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
                precondition(region.x >= 0 && region.y >= 0 && region.width > 0 && region.height > 0
                             && region.x + region.width <= w && region.y + region.height <= h,
                             "the region \(region) is outside the \(w)×\(h) image \(source)")
                return region.stored(from: orientation, uprightWidth: w, uprightHeight: h)
            }
        }
        let stored = try data.withUnsafeBufferPointer { bytes throws(ImageError) in
            try ImageCodec.decode(bytes, format: format, source: source, limits: ImageCodec.Limits(options),
                                  reduction: options.reduction, regionOf: regionOf)
        }
        self = stored.applyingOrientation(orientation)
    }

    /// Reads the format, stored size and orientation of the image file at `path` without
    /// decoding its pixels.
    public static func probe(path: String) throws(ImageError) -> ImageInfo {
        try probe(data: LocalFile.contents(of: path), source: path)
    }

    /// Reads the format, stored size and orientation of encoded image data without decoding its pixels.
    public static func probe(data: [UInt8], source: String = "in-memory image") throws(ImageError) -> ImageInfo {
        let format = try format(of: data, source: source)
        let (width, height) = try data.withUnsafeBufferPointer { bytes throws(ImageError) in
            try ImageCodec.dimensions(of: bytes, format: format, source: source)
        }
        return ImageInfo(
            format: format, width: width, height: height, orientation: EXIFOrientation.read(from: data, format: format))
    }

    private static func format(of data: [UInt8], source: String) throws(ImageError) -> ImageFormat {
        guard !data.isEmpty else { throw .empty(source: source) }
        switch ImageFormat.recognise(data) {
        case let .format(format): return format
        case let .damaged(reason): throw .corrupt(source: source, reason: reason)
        case let .unsupported(detail): throw .unsupportedFormat(source: source, detail: detail)
        }
    }
}

/// An image file read into memory once and its header parsed, to be decoded several ways
/// without reading it again: reduced for a detector, then only the parts around the faces.
///
/// ```swift
/// let file = try EncodedImage(contentsOf: "big.jpg")
/// let small = try file.decoded(options: .init(reduction: file.info.reduction(keepingLongerSideAtLeast: 640)))
/// ```
public struct EncodedImage: Sendable {
    /// The file's bytes.
    public let data: [UInt8]
    /// Names the data in error messages: the path, or the label given.
    public let source: String
    /// Format, stored size and orientation, from the header.
    public let info: ImageInfo

    public init(contentsOf path: String) throws(ImageError) {
        try self.init(data: LocalFile.contents(of: path), source: path)
    }

    public init(data: [UInt8], source: String = "in-memory image") throws(ImageError) {
        self.data = data
        self.source = source
        info = try Image.probe(data: data, source: source)
    }

    /// Whether the file is a progressive JPEG: a reduced or partial decode of one still
    /// entropy-decodes every scan of the whole picture, so decoding it twice (reduced, then a
    /// region) costs more than decoding it once whole.
    public var isProgressiveJPEG: Bool {
        info.format == .jpeg && data.withUnsafeBufferPointer { ImageFormat.jpegIsProgressive($0) }
    }

    /// The pixels, as ``Image/init(data:source:options:)`` decodes them.
    public func decoded(options: ImageDecodingOptions = .init()) throws(ImageError) -> Image {
        try Image(data: data, source: source, options: options)
    }
}
