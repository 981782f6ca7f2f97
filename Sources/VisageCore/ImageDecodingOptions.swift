/// Settings for turning file bytes into an ``Image``.
///
/// ```swift
/// var options = ImageDecodingOptions()
/// options.maxPixels = 200_000_000  // a trusted gigapixel-ish scan
/// let image = try Image(contentsOf: "scan.png", options: options)
/// ```
///
/// A large JPEG can be decoded smaller, or only in part, for much less time and memory:
///
/// ```swift
/// let info = try Image.probe(path: "big.jpg")
/// let quarter = try Image(contentsOf: "big.jpg", options: .init(reduction: info.reduction(keepingLongerSideAtLeast: 640)))
/// let face = try Image(contentsOf: "big.jpg", options: .init(region: PixelRegion(x: 1200, y: 800, width: 400, height: 500)))
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

    /// Decode at 1/`reduction` of the stored size, each side rounded up: 1 (default), 2, 4
    /// or 8. JPEGs are scaled inside libjpeg's IDCT (each 8×8 block becomes 4×4, 2×2 or one
    /// pixel directly), so neither the time nor the memory of the full size is spent, and
    /// output pixel `i` covers stored pixels `i·r ..< (i+1)·r`: coordinates on the result
    /// times `reduction` are coordinates on the full image. PNG and WebP are decoded whole
    /// and then shrunk (block-averaged) to the same size.
    public var reduction: Int = 1

    /// Decode only this rectangle, in the coordinates of the result without a region (upright
    /// unless ``appliesOrientation`` is false, after ``reduction``); it must lie inside that
    /// image. JPEGs decode just the blocks under it (libjpeg-turbo's `jpeg_crop_scanline` and
    /// `jpeg_skip_scanlines`), with the same pixels as a whole decode there; the data below
    /// it is not read, so damage there is not noticed. Other formats are decoded whole and
    /// cropped. Default: nil, the whole image.
    public var region: PixelRegion?

    /// The most scans a progressive JPEG may have; at the first one past it decoding stops with
    /// ``ImageError/tooManyScans(source:limit:)``. libjpeg goes over every block of the picture
    /// once a scan, and a scan can be a few bytes: a crafted 49 MP file of 141 kB with 600 scans
    /// took 4.5 s to refuse at the earlier limit of 500, and 20,000 scans (1.6 MB) would take
    /// minutes. Default: 100. libjpeg's progressive mode writes 10 scans (6 for grey), and the
    /// 13 progressive JPEGs among the 45,807 of the shared data sets have at most 14.
    public var maxProgressiveScans: Int = 100

    public init(maxPixels: Int = 50_000_000, appliesOrientation: Bool = true, reduction: Int = 1, region: PixelRegion? = nil,
                maxProgressiveScans: Int = 100) {
        precondition([1, 2, 4, 8].contains(reduction), "the reduction must be 1, 2, 4 or 8, not \(reduction)")
        precondition(maxProgressiveScans >= 1, "a JPEG has at least one scan; maxProgressiveScans must be 1 or more, not \(maxProgressiveScans)")
        self.maxProgressiveScans = maxProgressiveScans
        self.maxPixels = maxPixels
        self.appliesOrientation = appliesOrientation
        self.reduction = reduction
        self.region = region
    }
}

/// A rectangle of whole pixels: columns `x ..< x + width`, rows `y ..< y + height`.
public struct PixelRegion: Sendable, Hashable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The smallest region holding `rect` (whose edges are continuous coordinates, pixel `i`
    /// spanning `i ..< i + 1`), clipped to a `width`×`height` image; nil when nothing is left.
    public init?(covering rect: Rect, clippedTo width: Int, _ height: Int) {
        let x0 = max(0, Int(rect.x.rounded(.down))), y0 = max(0, Int(rect.y.rounded(.down)))
        let x1 = min(width, Int(rect.maxX.rounded(.up))), y1 = min(height, Int(rect.maxY.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return nil }
        self.init(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public var area: Int { width * height }

    /// Where this region of an upright `uprightWidth`×`uprightHeight` image lies in the pixels
    /// as stored with `orientation` (the inverse of ``Image/applyingOrientation(_:)``): decoding
    /// that stored region and turning it upright gives exactly this region of the upright image.
    func stored(from orientation: EXIFOrientation, uprightWidth w: Int, uprightHeight h: Int) -> PixelRegion {
        let (x, y, width, height) = (self.x, self.y, self.width, self.height)
        // Each case is the one `applyingOrientation` undoes: e.g. `.right` (turn clockwise to view)
        // stored the upright column x as stored row x, read bottom-up.
        switch orientation {
        case .up: return self
        case .upMirrored: return PixelRegion(x: w - x - width, y: y, width: width, height: height)
        case .down: return PixelRegion(x: w - x - width, y: h - y - height, width: width, height: height)
        case .downMirrored: return PixelRegion(x: x, y: h - y - height, width: width, height: height)
        case .leftMirrored: return PixelRegion(x: y, y: x, width: height, height: width)
        case .right: return PixelRegion(x: y, y: w - x - width, width: height, height: width)
        case .rightMirrored: return PixelRegion(x: h - y - height, y: w - x - width, width: height, height: width)
        case .left: return PixelRegion(x: h - y - height, y: x, width: height, height: width)
        }
    }
}

extension ImageInfo {
    /// The largest ``ImageDecodingOptions/reduction`` (1, 2, 4 or 8) that still leaves the
    /// longer side at least `side` pixels: what a consumer that scales the picture to `side`
    /// anyway (a detector's input) can ask for without losing anything it would see. Only
    /// JPEGs decode faster reduced, so other formats get 1.
    public func reduction(keepingLongerSideAtLeast side: Int) -> Int {
        guard format == .jpeg else { return 1 }
        let longer = max(width, height)
        return [8, 4, 2].first { (longer + $0 - 1) / $0 >= side } ?? 1
    }
}
