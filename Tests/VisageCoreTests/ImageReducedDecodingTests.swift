import Foundation
import Testing
import VisageTestSupport
import VisageCore

/// Decoding large JPEGs reduced (libjpeg's DCT scaling) and in part (jpeg_crop_scanline and
/// jpeg_skip_scanlines), on real photos: a region must have exactly the whole decode's pixels
/// there, in every orientation, and a reduced decode must be the whole picture made smaller.
struct ImageReducedDecodingTests {
    /// Real JPEGs of each kind at hand: baseline 4:2:0 (the group photo), progressive (a mask
    /// sample), and the largest photos of the shared data when present.
    static func photos() throws -> [(name: String, bytes: [UInt8])] {
        var photos = [("t1.jpg", try Fixtures.sampleBytes("t1.jpg")), ("mask_black.jpg", try Fixtures.sampleBytes("mask_black.jpg"))]
        if let data = Fixtures.sharedData {
            for name in ["face-recognition-samples/knn/test/obama_and_biden.jpg", "cfp/Data/Images/495/profile/04.jpg"] {
                if let bytes = FileManager.default.contents(atPath: data + "/" + name) { photos.append((name, [UInt8](bytes))) }
            }
        }
        return photos
    }

    static func crop(_ image: Image, _ region: PixelRegion) -> Image {
        image.cropped(to: Rect(x: Float(region.x), y: Float(region.y), width: Float(region.width), height: Float(region.height)))!
    }

    /// How many pixels differ (all of them when the sizes do not match); printed instead of the images.
    static func differingPixels(_ a: Image, _ b: Image) -> Int {
        guard a.width == b.width, a.height == b.height else { return max(a.width * a.height, b.width * b.height) }
        var count = 0
        for y in 0..<a.height { for x in 0..<a.width where a[x, y] != b[x, y] { count += 1 } }
        return count
    }

    @Test func aRegionHasTheWholeDecodesPixelsInEveryOrientation() throws {
        for (name, plain) in try Self.photos() {
            for orientation in 1...8 {
                let bytes = orientation == 1 ? plain : ExifBuilder.jpeg(plain, orientation: orientation, bigEndian: orientation % 2 == 0)
                let whole = try Image(data: bytes, source: name)
                // Odd offsets and sizes, so that neither edge falls on an 8- or 16-pixel block boundary,
                // and one region touching the right and bottom edges.
                let regions = [
                    PixelRegion(x: whole.width / 3 + 5, y: whole.height / 4 + 3, width: whole.width / 4 + 7, height: whole.height / 3 + 1),
                    PixelRegion(x: whole.width - 37, y: whole.height - 29, width: 37, height: 29),
                    PixelRegion(x: 0, y: 0, width: whole.width, height: whole.height / 2 + 1),
                ]
                for region in regions {
                    let part = try Image(data: bytes, source: name, options: .init(region: region))
                    let differing = Self.differingPixels(part, Self.crop(whole, region))
                    #expect(differing == 0, "\(name), orientation \(orientation), \(region): \(differing) pixels differ")
                }
            }
        }
    }

    @Test func aReducedDecodeIsTheWholePictureSmaller() throws {
        for (name, bytes) in try Self.photos() {
            let whole = try Image(data: bytes, source: name)
            for reduction in [2, 4, 8] {
                let reduced = try Image(data: bytes, source: name, options: .init(reduction: reduction))
                #expect(reduced.width == (whole.width + reduction - 1) / reduction, "\(name) at 1/\(reduction)")
                #expect(reduced.height == (whole.height + reduction - 1) / reduction, "\(name) at 1/\(reduction)")
                // Against block averages of the whole decode: the scaled IDCT is a different
                // filter, so pixels differ a little, but on average by a few levels only.
                let averaged = whole.boxDownsampled(by: reduction)
                var total = 0, count = 0
                for y in 0..<averaged.height {
                    for x in 0..<averaged.width {
                        let a = averaged[x, y], b = reduced[x, y]
                        total += abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
                        count += 3
                    }
                }
                let meanDifference = Double(total) / Double(count)
                #expect(meanDifference < 4, "\(name) at 1/\(reduction): mean difference \(meanDifference)")
                // A region of the reduced picture is that part of it.
                let region = PixelRegion(x: reduced.width / 5 + 1, y: reduced.height / 5 + 2, width: reduced.width / 2, height: reduced.height / 2)
                let part = try Image(data: bytes, source: name, options: .init(reduction: reduction, region: region))
                let differing = Self.differingPixels(part, Self.crop(reduced, region))
                #expect(differing == 0, "\(name) at 1/\(reduction), \(region): \(differing) pixels differ")
            }
        }
    }

    @Test func theReductionKeepsTheLongerSideAtLeastWhatWasAsked() throws {
        let info = ImageInfo(format: .jpeg, width: 4000, height: 3000, orientation: .right)
        #expect(info.reduction(keepingLongerSideAtLeast: 640) == 4)  // 1000 px; 1/8 would be 500
        #expect(info.reduction(keepingLongerSideAtLeast: 500) == 8)
        #expect(info.reduction(keepingLongerSideAtLeast: 4000) == 1)
        #expect(ImageInfo(format: .jpeg, width: 1280, height: 886, orientation: .up).reduction(keepingLongerSideAtLeast: 640) == 2)
        #expect(ImageInfo(format: .png, width: 4000, height: 3000, orientation: .up).reduction(keepingLongerSideAtLeast: 640) == 1)
    }

    /// A 12-megapixel JPEG made here: the group photo enlarged to 4000×3000 and encoded by
    /// VisageCore's own encoder at quality 90.
    static func twelveMegapixelJPEG() throws -> [UInt8] {
        try Image(contentsOf: Fixtures.sample("t1.jpg")).resized(width: 4000, height: 3000).jpegData(quality: 90)
    }

    @Test func aTruncatedLargeJPEGIsAnErrorNamingTheInputAtAnyReduction() throws {
        let bytes = try Self.twelveMegapixelJPEG()
        let truncated = Array(bytes[..<(bytes.count * 2 / 3)])
        for reduction in [1, 2, 4, 8] {
            #expect {
                _ = try Image(data: truncated, source: "big-truncated.jpg", options: .init(reduction: reduction))
            } throws: { error in
                guard case let .corrupt(source, reason) = error as? ImageError else { return false }
                return source == "big-truncated.jpg" && !reason.isEmpty
            }
        }
        // A region within the damaged rows fails too; one above them decodes.
        #expect(throws: ImageError.self) {
            _ = try Image(data: truncated, source: "big-truncated.jpg", options: .init(region: PixelRegion(x: 100, y: 2900, width: 200, height: 100)))
        }
        let top = try Image(data: truncated, source: "big-truncated.jpg", options: .init(region: PixelRegion(x: 100, y: 10, width: 200, height: 100)))
        let expected = try Image(data: bytes, options: .init(region: PixelRegion(x: 100, y: 10, width: 200, height: 100)))
        #expect(Self.differingPixels(top, expected) == 0)
    }
}
