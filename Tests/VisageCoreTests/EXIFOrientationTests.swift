import Testing
import VisageTestSupport
import VisageCore

/// Orientation tags turn decoded pixels upright, in every container and byte order.
struct EXIFOrientationTests {
    // Six distinct colours stored as a 3×2 picture:  A B C
    //                                                D E F
    static let (a, b, c, d, e, f) = (
        RGB(r: 10, g: 0, b: 0), RGB(r: 20, g: 0, b: 0), RGB(r: 30, g: 0, b: 0),
        RGB(r: 40, g: 0, b: 0), RGB(r: 50, g: 0, b: 0), RGB(r: 60, g: 0, b: 0)
    )

    /// What a viewer shows for each tag, written out by hand from the EXIF specification.
    static let upright: [EXIFOrientation: [[RGB]]] = [
        .up: [[a, b, c], [d, e, f]],
        .upMirrored: [[c, b, a], [f, e, d]],
        .down: [[f, e, d], [c, b, a]],
        .downMirrored: [[d, e, f], [a, b, c]],
        .leftMirrored: [[a, d], [b, e], [c, f]],
        .right: [[d, a], [e, b], [f, c]],
        .rightMirrored: [[f, c], [e, b], [d, a]],
        .left: [[c, f], [b, e], [a, d]],
    ]

    static func storedPNG(exif: [UInt8]?) -> [UInt8] {
        let rows = [[a, b, c], [d, e, f]].map { $0.flatMap { [$0.r, $0.g, $0.b] } }
        return PNGBuilder.png(width: 3, height: 2, colorType: .rgb, rows: rows, chunksBeforeData: exif.map { [("eXIf", $0)] } ?? [])
    }

    static func rows(of image: Image) -> [[RGB]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image[x, y] } }
    }

    @Test(arguments: EXIFOrientation.allCases, [false, true])
    func pngExifChunkTurnsPixelsUpright(orientation: EXIFOrientation, bigEndian: Bool) throws {
        let png = Self.storedPNG(exif: ExifBuilder.tiff(orientation: orientation.rawValue, bigEndian: bigEndian))
        #expect(try Self.rows(of: Image(data: png)) == Self.upright[orientation])
        #expect(try Self.rows(of: Image(data: png, options: ImageDecodingOptions(appliesOrientation: false))) == Self.upright[.up])
    }

    @Test(arguments: EXIFOrientation.allCases)
    func applyingOrientationMatchesTheSpecification(orientation: EXIFOrientation) throws {
        let stored = try Image(data: Self.storedPNG(exif: nil))
        #expect(Self.rows(of: stored.applyingOrientation(orientation)) == Self.upright[orientation])
    }

    /// Where stored pixel (x, y) of a `width`×`height` picture appears upright.
    static func uprightPosition(x: Int, y: Int, width: Int, height: Int, _ orientation: EXIFOrientation) -> (Int, Int) {
        switch orientation {
        case .up: (x, y)
        case .upMirrored: (width - 1 - x, y)
        case .down: (width - 1 - x, height - 1 - y)
        case .downMirrored: (x, height - 1 - y)
        case .leftMirrored: (y, x)
        case .right: (height - 1 - y, x)
        case .rightMirrored: (height - 1 - y, width - 1 - x)
        case .left: (y, width - 1 - x)
        }
    }

    @Test(arguments: EXIFOrientation.allCases, [false, true])
    func jpegExifSegmentTurnsRealPhotoUpright(orientation: EXIFOrientation, bigEndian: Bool) throws {
        let bytes = try Fixtures.sampleBytes("mask_green.jpg")
        let stored = try Image(data: bytes)
        let tagged = ExifBuilder.jpeg(bytes, orientation: orientation.rawValue, bigEndian: bigEndian)
        let upright = try Image(data: tagged, source: "tagged")
        #expect(upright.width == (orientation.swapsDimensions ? stored.height : stored.width))
        #expect(upright.height == (orientation.swapsDimensions ? stored.width : stored.height))
        // Same compressed pixels, so the turned image must match exactly.
        for y in 0..<stored.height {
            for x in 0..<stored.width {
                let (ux, uy) = Self.uprightPosition(x: x, y: y, width: stored.width, height: stored.height, orientation)
                guard upright[ux, uy] == stored[x, y] else {
                    Issue.record("stored (\(x), \(y)) is \(stored[x, y]) but upright (\(ux), \(uy)) is \(upright[ux, uy])")
                    return
                }
            }
        }
        #expect(try Image(data: tagged, options: ImageDecodingOptions(appliesOrientation: false)) == stored)
    }

    @Test func groupPhotoTakenOnItsSideIsTurnedClockwise() throws {
        let bytes = try Fixtures.sampleBytes("t1.jpg")
        let stored = try Image(data: bytes)
        let upright = try Image(data: ExifBuilder.jpeg(bytes, orientation: 6, bigEndian: false))
        #expect(upright.width == 886 && upright.height == 1280)
        // Turned clockwise, the stored bottom-left corner becomes the top-left one.
        #expect(upright[0, 0] == stored[0, 885])
        #expect(upright[885, 0] == stored[0, 0])
        #expect(upright[885, 1279] == stored[1279, 0])
        #expect(upright[0, 1279] == stored[1279, 885])
    }

    @Test func webpExifChunkTurnsPixelsUpright() throws {
        let stored = try Image(data: Self.storedPNG(exif: nil))
        let simple = ReferenceEncoders.webp(rgb: stored.pixels, width: 3, height: 2, lossless: true)
        // Rewrap the simple file as an extended one: VP8X (flags: EXIF), the bitstream, then EXIF.
        func chunk(_ fourCC: String, _ body: [UInt8]) -> [UInt8] {
            let size = UInt32(body.count)
            let le = [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)]
            return Array(fourCC.utf8) + le + body + (body.count % 2 == 1 ? [0] : [])
        }
        let vp8x: [UInt8] = [0x08, 0, 0, 0, 2, 0, 0, 1, 0, 0]  // canvas width-1 = 2, height-1 = 1, 24-bit LE
        let body = Array("WEBP".utf8) + chunk("VP8X", vp8x) + simple[12...]
            + chunk("EXIF", ExifBuilder.tiff(orientation: 8, bigEndian: true))
        let riff = Array(chunk("RIFF", body))
        #expect(try Self.rows(of: Image(data: riff)) == Self.upright[.left])
        #expect(try Image.probe(data: riff).orientation == .left)
    }

    @Test(arguments: [0, 9, 0xFFFF])
    func invalidTagMeansUp(value: Int) throws {
        let png = Self.storedPNG(exif: ExifBuilder.tiff(orientation: value, bigEndian: false))
        #expect(try Self.rows(of: Image(data: png)) == Self.upright[.up])
    }

    @Test func damagedExifBlocksAreIgnored() throws {
        let good = ExifBuilder.tiff(orientation: 6, bigEndian: true)
        // Header (8) + entry count (2) + the Orientation entry (12); only the trailing
        // next-IFD pointer may be lost without losing the tag.
        let wholeEntry = 22
        for length in 0..<good.count {
            let png = Self.storedPNG(exif: Array(good.prefix(length)))
            #expect(try Image(data: png).width == (length < wholeEntry ? 3 : 2), "EXIF cut to \(length) bytes")
        }
    }

    @Test func realPhotosWithoutARotationReadAsUp() throws {
        #expect(try Image.probe(path: Fixtures.sample("mask_black.jpg")).orientation == .up)  // big-endian, tag = 1
        #expect(try Image.probe(path: Fixtures.sample("mask_white.jpg")).orientation == .up)  // little-endian, no tag
    }
}
