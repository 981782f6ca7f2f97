extension Image {
    /// Decodes the JPEG, PNG or WebP file at `path` to upright RGB.
    ///
    /// The format comes from the file's first bytes, not its name. Grey, palette, 16-bit
    /// and alpha images all become 8-bit RGB (alpha is dropped); CMYK JPEGs are converted.
    ///
    /// - Throws: ``ImageError``: `.unreadable`, `.empty`, `.unsupportedFormat`, `.corrupt`
    ///   (including truncated files) or `.tooLarge`.
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
        let stored = try data.withUnsafeBufferPointer { bytes throws(ImageError) in
            try ImageCodec.decode(bytes, format: format, source: source, maxPixels: options.maxPixels)
        }
        self = options.appliesOrientation
            ? stored.applyingOrientation(EXIFOrientation.read(from: data, format: format))
            : stored
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
        guard let format = ImageFormat(signatureOf: data) else {
            throw .unsupportedFormat(source: source, detail: ImageFormat.describeUnsupported(data))
        }
        return format
    }
}
