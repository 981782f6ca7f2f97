/// What an image file's header says, read without decoding any pixels.
///
/// ```swift
/// let info = try Image.probe(path: "photo.jpg")
/// print(info.format, info.uprightWidth, info.uprightHeight)
/// ```
public struct ImageInfo: Sendable, Equatable {
    public var format: ImageFormat
    /// Columns as stored in the file, before orientation.
    public var width: Int
    /// Rows as stored in the file, before orientation.
    public var height: Int
    /// The EXIF orientation tag, ``EXIFOrientation/up`` when the file has none.
    public var orientation: EXIFOrientation

    public init(format: ImageFormat, width: Int, height: Int, orientation: EXIFOrientation) {
        self.format = format
        self.width = width
        self.height = height
        self.orientation = orientation
    }

    /// The width of the decoded image once orientation is applied.
    public var uprightWidth: Int { orientation.swapsDimensions ? height : width }
    /// The height of the decoded image once orientation is applied.
    public var uprightHeight: Int { orientation.swapsDimensions ? width : height }
}
