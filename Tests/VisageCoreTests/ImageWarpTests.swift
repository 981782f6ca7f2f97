import Testing
@testable import VisageCore

struct ImageWarpTests {
    /// A 4×3 image whose pixel (x, y) is (10x, 10y, 7): easy to check after a warp.
    private func ramp(width: Int = 4, height: Int = 3) -> Image {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(10 * x), UInt8(10 * y), 7] } }
        return Image(uncheckedWidth: width, height: height, pixels: pixels)
    }

    private func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
        let i = (y * image.width + x) * 3
        return Array(image.pixels[i..<(i + 3)])
    }

    @Test func identityWarpCopiesPixels() {
        let image = ramp()
        #expect(image.warped(by: .identity, width: 4, height: 3) == image)
    }

    @Test func translationShiftsAndFillsBlack() {
        // Moving the content right by one pixel: column 0 comes from outside and is black.
        let shifted = ramp().warped(by: AffineTransform(a: 1, b: 0, tx: 1, c: 0, d: 1, ty: 0), width: 4, height: 3)
        #expect(pixel(shifted, 0, 1) == [0, 0, 0])
        #expect(pixel(shifted, 2, 1) == [10, 10, 7])
    }

    @Test func halfPixelSampleIsTheMean() {
        let shifted = ramp().warped(by: AffineTransform(a: 1, b: 0, tx: -0.5, c: 0, d: 1, ty: 0), width: 3, height: 3)
        #expect(pixel(shifted, 1, 0) == [15, 0, 7])
    }

    @Test func resizeKeepsAConstantImageConstant() {
        let flat = Image(uncheckedWidth: 5, height: 5, pixels: [UInt8](repeating: 90, count: 75))
        let big = flat.resized(width: 13, height: 7)
        #expect(big.width == 13 && big.height == 7)
        #expect(big.pixels.allSatisfy { $0 == 90 })
        #expect(flat.resized(width: 2, height: 2).pixels.allSatisfy { $0 == 90 })
    }

    @Test func cropClipsToTheImage() throws {
        let crop = try #require(ramp().cropped(to: Rect(x: 2, y: 1, width: 10, height: 10)))
        #expect(crop.width == 2 && crop.height == 2)
        #expect(pixel(crop, 0, 0) == [20, 10, 7])
        #expect(ramp().cropped(to: Rect(x: 10, y: 10, width: 3, height: 3)) == nil)
    }

    @Test func planarTensorHonoursOrderMeanAndScale() {
        let image = Image(uncheckedWidth: 1, height: 2, pixels: [10, 20, 30, 40, 50, 60])
        var rgb = [Float](repeating: -1, count: 6)
        rgb.withUnsafeMutableBufferPointer { image.writePlanar(into: $0, order: .rgb) }
        #expect(rgb == [10, 40, 20, 50, 30, 60])
        var bgr = [Float](repeating: -1, count: 6)
        bgr.withUnsafeMutableBufferPointer { image.writePlanar(into: $0, order: .bgr, mean: (30, 20, 10), scale: (0.5, 0.5, 0.5)) }
        #expect(bgr == [0, 15, 0, 15, 0, 15])
    }

    @Test func fusedResizeMatchesResizeThenConvert() throws {
        var pixels: [UInt8] = []
        for y in 0..<37 { for x in 0..<53 { pixels += [UInt8((x * 7 + y * 3) % 256), UInt8((x * y) % 256), UInt8((255 - x * 4) & 0xFF)] } }
        let image = try Image(width: 53, height: 37, pixels: pixels)
        let (w, h, pw, ph) = (20, 14, 32, 32)
        var fused = [Float](repeating: -7, count: 3 * pw * ph)
        fused.withUnsafeMutableBufferPointer { image.writeResizedPlanar(into: $0, width: w, height: h, planeWidth: pw, planeHeight: ph, order: .bgr) }
        let resized = image.resized(width: w, height: h)
        for y in 0..<ph {
            for x in 0..<pw {
                for c in 0..<3 {
                    let value = fused[c * pw * ph + y * pw + x]
                    if x < w && y < h {
                        // The two-step path rounds to bytes in between: at most one level apart.
                        let expected = Float(resized.pixels[(y * w + x) * 3 + (2 - c)])
                        #expect(abs(value - expected) <= 1)
                    } else {
                        #expect(value == -7)  // padding untouched
                    }
                }
            }
        }
        // RGB order: the same planes, red first.
        var rgb = [Float](repeating: -7, count: 3 * pw * ph)
        rgb.withUnsafeMutableBufferPointer { image.writeResizedPlanar(into: $0, width: w, height: h, planeWidth: pw, planeHeight: ph, order: .rgb) }
        let plane = pw * ph
        #expect(Array(rgb[0..<plane]) == Array(fused[(2 * plane)...]))
        #expect(Array(rgb[plane..<(2 * plane)]) == Array(fused[plane..<(2 * plane)]))
        #expect(Array(rgb[(2 * plane)...]) == Array(fused[0..<plane]))
    }
}

struct ImageShrinkTests {
    /// One-pixel black and white stripes: plain bilinear shrinking samples single stripes
    /// (aliasing), block averaging gives the grey a viewer sees.
    static let stripes: Image = {
        var pixels = [UInt8](repeating: 0, count: 90 * 90 * 3)
        for y in 0..<90 { for x in stride(from: 0, to: 90, by: 2) { for c in 0..<3 { pixels[(y * 90 + x) * 3 + c] = 255 } } }
        return try! Image(width: 90, height: 90, pixels: pixels)
    }()

    @Test func shrinkingStripesGivesGreyNotStripes() {
        // 90 → 10 is a factor of 9: the bilinear sample lands exactly on one stripe, while a
        // 9-pixel block holds 5 or 4 white stripes (mean 142 or 113).
        let small = Self.stripes.shrunk(width: 10, height: 10)
        #expect(small.width == 10 && small.height == 10)
        #expect(small.pixels.allSatisfy { (110...145).contains($0) })
        // What the plain resize does to the same picture: the reason `shrunk` exists.
        #expect(Self.stripes.resized(width: 10, height: 10).pixels.allSatisfy { $0 == 0 || $0 == 255 })
    }

    @Test func boxDownsamplingDropsOnlyTheIncompleteEdge() {
        let image = try! Image(width: 5, height: 3, pixels: (0..<45).map { UInt8($0) })
        let half = image.boxDownsampled(by: 2)
        #expect(half.width == 2 && half.height == 1)
        // First block: pixels (0,0) (1,0) (0,1) (1,1), red channel 0, 3, 15, 18.
        #expect(half.pixels[0] == 9)
    }

    @Test func enlargingIsThePlainResize() {
        let image = try! Image(width: 4, height: 4, pixels: (0..<48).map { UInt8($0 * 5) })
        #expect(image.shrunk(width: 9, height: 9) == image.resized(width: 9, height: 9))
    }
}
