import Testing
import VisageCore

/// The `Image` value itself: construction, validation and pixel access.
struct ImageTests {
    @Test func wrapsMatchingPixels() throws {
        let image = try Image(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.width == 2 && image.height == 1)
        #expect(image[0, 0] == RGB(r: 1, g: 2, b: 3))
        #expect(image[1, 0] == RGB(r: 4, g: 5, b: 6))
    }

    @Test(arguments: [(2, 2, 11), (2, 2, 13), (0, 5, 0), (-1, -1, 3), (Int.max, 2, 6)])
    func refusesMismatchedPixels(width: Int, height: Int, count: Int) {
        #expect(throws: ImageError.invalidPixelBuffer(width: width, height: height, count: count)) {
            try Image(width: width, height: height, pixels: [UInt8](repeating: 0, count: count))
        }
    }

    @Test func fillsWithOneColour() {
        let image = Image(width: 3, height: 2, color: .orange)
        #expect(image.pixels.count == 18)
        #expect((0..<2).allSatisfy { y in (0..<3).allSatisfy { x in image[x, y] == .orange } })
        #expect(Image(width: 1, height: 1).pixels == [0, 0, 0])
    }

    @Test func subscriptWritesOnePixelInRowMajorOrder() {
        var image = Image(width: 3, height: 2)
        image[2, 1] = RGB(r: 7, g: 8, b: 9)
        #expect(image.pixels[(1 * 3 + 2) * 3..<(1 * 3 + 2) * 3 + 3] == [7, 8, 9])
        #expect(image.pixels.filter { $0 != 0 }.count == 3)
    }

    @Test func equalityComparesPixels() {
        var a = Image(width: 2, height: 2)
        let b = Image(width: 2, height: 2)
        #expect(a == b)
        a[0, 0] = .white
        #expect(a != b)
        #expect(Image(width: 4, height: 1) != Image(width: 1, height: 4))
    }

    @Test func errorMessageExplainsTheExpectedSize() {
        let message = ImageError.invalidPixelBuffer(width: 2, height: 2, count: 11).errorDescription ?? ""
        #expect(message.contains("2×2×3") && message.contains("11"))
    }
}
