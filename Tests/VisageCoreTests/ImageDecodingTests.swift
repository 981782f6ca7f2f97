import CJPEG
import Foundation
import Testing
import VisageTestSupport
import VisageCore

/// Decoding real photos and every colour layout the three formats allow.
///
/// Reference pixels were recorded with OpenCV 5.0 `imread(IMREAD_COLOR)` and Pillow 13
/// `convert("RGB")`, which agreed exactly on every file; we allow ±2 per channel for
/// libjpeg builds whose IDCT rounds differently.
struct ImageDecodingTests {
    struct Reference {
        var name: String
        var width: Int
        var height: Int
        var mean: [Double]
        var pixels: [(x: Int, y: Int, color: RGB)]
    }

    static let samples = [
        Reference(
            name: "t1.jpg", width: 1280, height: 886, mean: [158.321, 120.568, 91.095],
            pixels: [
                (0, 0, RGB(r: 206, g: 172, b: 126)), (1279, 0, RGB(r: 158, g: 95, b: 44)),
                (0, 885, RGB(r: 113, g: 80, b: 39)), (1279, 885, RGB(r: 12, g: 43, b: 45)),
                (640, 443, RGB(r: 226, g: 206, b: 182)), (426, 221, RGB(r: 163, g: 119, b: 94)),
            ]),
        // Progressive, with a big-endian Exif block saying orientation 1.
        Reference(
            name: "mask_black.jpg", width: 440, height: 231, mean: [58.24, 55.365, 56.665],
            pixels: [(0, 0, RGB(r: 240, g: 240, b: 240)), (220, 115, RGB(r: 55, g: 51, b: 52))]),
        // Little-endian Exif block without an orientation tag.
        Reference(
            name: "mask_white.jpg", width: 680, height: 366, mean: [218.494, 218.494, 218.494],
            pixels: [(0, 365, RGB(r: 219, g: 219, b: 219)), (226, 91, RGB(r: 234, g: 234, b: 234))]),
        Reference(
            name: "mask_blue.jpg", width: 709, height: 354, mean: [133.138, 202.946, 232.598],
            pixels: [(354, 177, RGB(r: 101, g: 200, b: 241)), (708, 353, RGB(r: 172, g: 194, b: 208))]),
        Reference(
            name: "Tom_Hanks_54745.png", width: 112, height: 112, mean: [119.21, 119.21, 119.21],
            pixels: [(0, 0, RGB(r: 18, g: 18, b: 18)), (56, 56, RGB(r: 150, g: 150, b: 150))]),
    ]

    @Test(arguments: samples.map(\.name))
    func decodesSampleLikeOpenCV(_ name: String) throws {
        let reference = try #require(Self.samples.first { $0.name == name })
        let image = try Image(contentsOf: Fixtures.sample(name))
        #expect(image.width == reference.width)
        #expect(image.height == reference.height)
        #expect(image.pixels.count == reference.width * reference.height * 3)
        for (channel, mean) in PixelMetrics.meanColor(image).enumerated() {
            #expect(abs(mean - reference.mean[channel]) < 0.5, "channel \(channel)")
        }
        for (x, y, color) in reference.pixels {
            #expect(PixelMetrics.maxDifference(image[x, y], color) <= 2, "pixel (\(x), \(y)): \(image[x, y])")
        }
    }

    @Test func decodesTheSameFromDataAsFromFile() throws {
        let path = try Fixtures.sample("t1.jpg")
        let fromData = try Image(data: Fixtures.sampleBytes("t1.jpg"), source: "t1")
        #expect(try Image(contentsOf: path) == fromData)
    }

    @Test func ignoresTheFileExtension() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.file("actually-a-jpeg.png", Fixtures.sampleBytes("t1.jpg"))
        #expect(try Image(contentsOf: path).width == 1280)
    }

    @Test func acceptsAJPEGMissingOnlyItsEndMarker() throws {
        let bytes = try Fixtures.sampleBytes("t1.jpg")
        #expect(bytes.suffix(2) == [0xFF, 0xD9])
        #expect(try Image(data: Array(bytes.dropLast(2))) == Image(data: bytes))
    }

    // MARK: PNG layouts, built by hand

    @Test func decodesGreyPNG() throws {
        let png = PNGBuilder.png(width: 3, height: 2, colorType: .grey, rows: [[0, 128, 255], [1, 2, 3]])
        let image = try Image(data: png)
        #expect(image.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    }

    @Test func expandsOneBitGreyPNG() throws {
        let png = PNGBuilder.png(width: 10, height: 1, bitDepth: 1, colorType: .grey, rows: [[0b1010_0000, 0b0100_0000]])
        let image = try Image(data: png)
        let expected: [UInt8] = [255, 0, 255, 0, 0, 0, 0, 0, 0, 255]
        #expect(stride(from: 0, to: 30, by: 3).map { image.pixels[$0] } == expected)
        #expect(PixelMetrics.isGrey(image))
    }

    @Test func scales16BitPNGToEightBits() throws {
        // Big-endian samples: 65535 → 255, 32896 (0x8080) → 128, 32767 → 127, 0 → 0.
        let grey = PNGBuilder.png(
            width: 4, height: 1, bitDepth: 16, colorType: .grey, rows: [[0xFF, 0xFF, 0x80, 0x80, 0x7F, 0xFF, 0, 0]])
        #expect(try Image(data: grey).pixels == [255, 255, 255, 128, 128, 128, 127, 127, 127, 0, 0, 0])

        let rgb = PNGBuilder.png(
            width: 1, height: 1, bitDepth: 16, colorType: .rgb, rows: [[0xFF, 0xFF, 0x80, 0x80, 0x00, 0x00]])
        #expect(try Image(data: rgb).pixels == [255, 128, 0])
    }

    @Test func dropsAlphaWithoutCompositing() throws {
        let rgba = PNGBuilder.png(
            width: 2, height: 1, colorType: .rgba, rows: [[10, 20, 30, 0, 200, 100, 50, 255]])
        #expect(try Image(data: rgba).pixels == [10, 20, 30, 200, 100, 50])

        let greyAlpha = PNGBuilder.png(width: 2, height: 1, colorType: .greyAlpha, rows: [[77, 0, 199, 128]])
        #expect(try Image(data: greyAlpha).pixels == [77, 77, 77, 199, 199, 199])

        let rgba16 = PNGBuilder.png(
            width: 1, height: 1, bitDepth: 16, colorType: .rgba, rows: [[0xFF, 0xFF, 0, 0, 0x80, 0x80, 0, 0]])
        #expect(try Image(data: rgba16).pixels == [255, 0, 128])
    }

    @Test func expandsPalettePNG() throws {
        let palette = [RGB.red, RGB.green, RGB(r: 1, g: 2, b: 3), RGB.white]
        let eightBit = PNGBuilder.png(width: 4, height: 1, colorType: .palette, rows: [[3, 2, 1, 0]], palette: palette)
        #expect(try Image(data: eightBit).pixels == [255, 255, 255, 1, 2, 3, 0, 255, 0, 255, 0, 0])

        // Two bits per index, packed four to a byte: indices 0, 1, 2, 3.
        let twoBit = PNGBuilder.png(
            width: 4, height: 1, bitDepth: 2, colorType: .palette, rows: [[0b00_01_10_11]], palette: palette)
        #expect(try Image(data: twoBit).pixels == [255, 0, 0, 0, 255, 0, 1, 2, 3, 255, 255, 255])
    }

    @Test func decodesInterlacedPNG() throws {
        let original = try Image(contentsOf: Fixtures.sample("mask_green.jpg"))
        let png = ReferenceEncoders.interlacedPNG(rgb: original.pixels, width: original.width, height: original.height)
        #expect(png[28] == 1)  // IHDR interlace method: Adam7
        #expect(try Image(data: png) == original)
        #expect(throws: ImageError.self) { try Image(data: Array(png.prefix(png.count * 3 / 4))) }
    }

    // MARK: JPEG colour spaces, encoded with libjpeg from known colours

    /// A 16×16 picture in four flat 8×8 quadrants, so JPEG blocks do not straddle colours.
    static let quadrants: [RGB] = [.red, .green, .blue, RGB(r: 200, g: 180, b: 40)]

    static func quadrant(x: Int, y: Int) -> Int { (y / 8) * 2 + x / 8 }

    @Test(arguments: [JCS_CMYK, JCS_YCCK])
    func convertsAdobeCMYKJPEG(stored: J_COLOR_SPACE) throws {
        var samples: [UInt8] = []
        for y in 0..<16 {
            for x in 0..<16 {
                let color = Self.quadrants[Self.quadrant(x: x, y: y)]
                // Ink amounts for an RGB colour with no black, in Adobe's inverted form.
                samples += [color.r, color.g, color.b, 255]
            }
        }
        let jpeg = ReferenceEncoders.jpeg(
            samples: samples, width: 16, height: 16, components: 4, inputSpace: JCS_CMYK, storedSpace: stored)
        let image = try Image(data: jpeg, source: "cmyk")
        // Away from the quadrant edges, where YCCK's subsampled chroma blurs colours together.
        for y in 0..<16 where (2...5).contains(y % 8) {
            for x in 0..<16 where (2...5).contains(x % 8) {
                let expected = Self.quadrants[Self.quadrant(x: x, y: y)]
                #expect(PixelMetrics.maxDifference(image[x, y], expected) <= 6, "(\(x), \(y)): \(image[x, y])")
            }
        }
    }

    @Test func decodesGreyJPEGAsEqualChannels() throws {
        let samples = (0..<(32 * 16)).map { UInt8(($0 % 32) * 8) }
        let jpeg = ReferenceEncoders.jpeg(samples: samples, width: 32, height: 16, components: 1, inputSpace: JCS_GRAYSCALE)
        let image = try Image(data: jpeg)
        #expect(image.width == 32 && image.height == 16)
        #expect(PixelMetrics.isGrey(image))
        #expect(abs(Int(image[31, 0].r) - 248) <= 4)
    }

    // MARK: WebP

    @Test func decodesLosslessWebPExactly() throws {
        let original = try Image(contentsOf: Fixtures.sample("Tom_Hanks_54745.png"))
        let webp = ReferenceEncoders.webp(rgb: original.pixels, width: original.width, height: original.height, lossless: true)
        #expect(try Image(data: webp) == original)
    }

    @Test func decodesLossyWebPClosely() throws {
        let original = try Image(contentsOf: Fixtures.sample("mask_blue.jpg"))
        let webp = ReferenceEncoders.webp(rgb: original.pixels, width: original.width, height: original.height, lossless: false)
        let decoded = try Image(data: webp)
        #expect(decoded.width == original.width && decoded.height == original.height)
        #expect(PixelMetrics.psnr(decoded, original) > 30)
    }

    // MARK: Shared data sets

    @Test(.enabled(if: Fixtures.hasSharedData, Fixtures.noSharedData))
    func decodesGreyFER2013AsGreyRGB() throws {
        for path in try Fixtures.sharedFiles(in: "fer2013/train/happy", suffix: ".jpg", limit: 20) {
            let image = try Image(contentsOf: path)
            #expect(image.width == 48 && image.height == 48, "\(path)")
            #expect(PixelMetrics.isGrey(image), "\(path)")
        }
        let recorded = try Image(contentsOf: Fixtures.sharedData! + "/fer2013/train/happy/Training_62256585.jpg")
        #expect(recorded[0, 0] == RGB(r: 117, g: 117, b: 117))
        #expect(recorded[24, 24] == RGB(r: 180, g: 180, b: 180))
    }

    @Test(.enabled(if: Fixtures.hasSharedData, Fixtures.noSharedData))
    func decodesGreyCKPlusPNG() throws {
        let image = try Image(contentsOf: Fixtures.sharedData! + "/ckplus48/happy/S132_006_00000023.png")
        #expect(image.width == 48 && image.height == 48)
        #expect(image[0, 0] == RGB(r: 12, g: 12, b: 12))
        #expect(image[24, 24] == RGB(r: 166, g: 166, b: 166))
    }

    @Test(.enabled(if: Fixtures.hasSharedData, Fixtures.noSharedData))
    func decodesRealRGBAScreenshot() throws {
        let image = try Image(contentsOf: Fixtures.sharedData! + "/masks/with_mask/Screenshot__335_.png")
        #expect(image.width == 191 && image.height == 202)
        #expect(image[95, 101] == RGB(r: 182, g: 126, b: 40))
        #expect(image[190, 201] == RGB(r: 242, g: 237, b: 229))
    }

    @Test(.enabled(if: Fixtures.hasSharedData, Fixtures.noSharedData))
    func decodesRealProgressiveJPEG() throws {
        let image = try Image(contentsOf: Fixtures.sharedData! + "/pairs-deepface/images/img61.jpg")
        #expect(image.width == 800 && image.height == 542)
        #expect(PixelMetrics.maxDifference(image[400, 271], RGB(r: 199, g: 152, b: 132)) <= 2)
        #expect(PixelMetrics.maxDifference(image[799, 541], RGB(r: 189, g: 190, b: 195)) <= 2)
    }

    @Test(.enabled(if: Fixtures.hasSharedData, Fixtures.noSharedData))
    func decodesUTKFaceAndMaskPhotos() throws {
        for path in try Fixtures.sharedFiles(in: "utkface", suffix: ".jpg", limit: 10) {
            let image = try Image(contentsOf: path)
            #expect(image.width == 200 && image.height == 200, "\(path)")
        }
        let maskFolders = [("masks/with_mask", ".jpg"), ("masks/with_mask", ".png"), ("masks/without_mask", ".jpg")]
        for (folder, suffix) in maskFolders {
            for path in try Fixtures.sharedFiles(in: folder, suffix: suffix, limit: 10) {
                let image = try Image(contentsOf: path)
                #expect(image.width > 0 && image.width <= 4096, "\(path)")
            }
        }
    }
}
