/// An 8-bit RGB picture held in memory: the value every Visage stage takes and returns.
///
/// Pixels are interleaved `r, g, b` bytes, row-major, top row first, with no padding:
/// the sample of channel `c` at column `x`, row `y` is `pixels[(y * width + x) * 3 + c]`.
/// RGB is the canonical order; a model that wants BGR swaps while building its tensor.
/// Decoded images are already upright (see ``ImageDecodingOptions/appliesOrientation``),
/// so coordinates on an `Image` are the ones a viewer shows.
///
/// ```swift
/// var image = try Image(contentsOf: "group.jpg")
/// image.drawRectangle(Rect(x: 10, y: 10, width: 50, height: 60), color: .green, thickness: 2)
/// try image.write(to: "annotated.png")
/// ```
public struct Image: Sendable, Equatable {
    /// Columns, at least 1.
    public let width: Int
    /// Rows, at least 1.
    public let height: Int
    /// `width * height * 3` bytes of interleaved RGB, row-major.
    public internal(set) var pixels: [UInt8]

    /// Wraps existing RGB bytes, checking that they fit the dimensions.
    ///
    /// - Throws: ``ImageError/invalidPixelBuffer(width:height:count:)`` when either
    ///   dimension is not positive or `pixels.count` is not `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(ImageError) {
        let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
        let (count, countOverflow) = area.multipliedReportingOverflow(by: 3)
        guard width > 0, height > 0, !areaOverflow, !countOverflow, pixels.count == count else {
            throw .invalidPixelBuffer(width: width, height: height, count: pixels.count)
        }
        self.init(uncheckedWidth: width, height: height, pixels: pixels)
    }

    /// Makes an image of one colour, black unless told otherwise.
    ///
    /// - Precondition: `width` and `height` are positive.
    public init(width: Int, height: Int, color: RGB = .black) {
        precondition(width > 0 && height > 0, "an image needs positive dimensions, got \(width)×\(height)")
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        if color != .black {
            pixels.withUnsafeMutableBufferPointer { buffer in
                var index = 0
                while index < buffer.count {
                    buffer[index] = color.r
                    buffer[index + 1] = color.g
                    buffer[index + 2] = color.b
                    index += 3
                }
            }
        }
        self.init(uncheckedWidth: width, height: height, pixels: pixels)
    }

    /// For callers in this module that built `pixels` to size themselves (decoders, warps).
    init(uncheckedWidth width: Int, height: Int, pixels: [UInt8]) {
        assert(width > 0 && height > 0 && pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The colour at column `x`, row `y`.
    ///
    /// - Precondition: `0 <= x < width` and `0 <= y < height`.
    public subscript(x: Int, y: Int) -> RGB {
        get {
            let index = offset(x: x, y: y)
            return RGB(r: pixels[index], g: pixels[index + 1], b: pixels[index + 2])
        }
        set {
            let index = offset(x: x, y: y)
            pixels[index] = newValue.r
            pixels[index + 1] = newValue.g
            pixels[index + 2] = newValue.b
        }
    }

    private func offset(x: Int, y: Int) -> Int {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) is outside \(width)×\(height)")
        return (y * width + x) * 3
    }
}
