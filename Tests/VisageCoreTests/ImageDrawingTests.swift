import Testing
import VisageCore

/// Rectangles, dots and labels land on the expected pixels and clip at the borders.
struct ImageDrawingTests {
    /// The pixels of `image` that are not black, as a set of (x, y).
    static func painted(_ image: Image) -> Set<[Int]> {
        var result = Set<[Int]>()
        for y in 0..<image.height {
            for x in 0..<image.width where image[x, y] != .black { result.insert([x, y]) }
        }
        return result
    }

    static func square(_ xs: Range<Int>, _ ys: Range<Int>) -> Set<[Int]> {
        Set(ys.flatMap { y in xs.map { x in [x, y] } })
    }

    // MARK: Rectangles

    @Test func rectangleBorderLiesInsideTheRect() {
        var image = Image(width: 20, height: 20)
        image.drawRectangle(Rect(x: 5, y: 5, width: 10, height: 10), color: .green, thickness: 2)
        #expect(Self.painted(image) == Self.square(5..<15, 5..<15).subtracting(Self.square(7..<13, 7..<13)))
        #expect(image[5, 5] == .green && image[14, 14] == .green && image[6, 10] == .green)
        #expect(image[7, 7] == .black && image[4, 5] == .black && image[15, 15] == .black)
    }

    @Test func rectangleCoordinatesRoundToPixelEdges() {
        var image = Image(width: 10, height: 10)
        image.fillRectangle(Rect(x: 1.4, y: 1.6, width: 2.2, height: 2.0), color: .white)
        #expect(Self.painted(image) == Self.square(1..<4, 2..<4))
    }

    @Test func rectangleClipsAtTheBorder() {
        var image = Image(width: 10, height: 10)
        image.drawRectangle(Rect(x: -5, y: -5, width: 10, height: 10), color: .red, thickness: 1)
        // Only the right and bottom edges (x = 4, y = 4) fall inside.
        #expect(Self.painted(image) == Self.square(4..<5, 0..<5).union(Self.square(0..<5, 4..<5)))

        var edge = Image(width: 10, height: 10)
        edge.drawRectangle(Rect(x: 8, y: 8, width: 5, height: 5), color: .red, thickness: 1)
        #expect(Self.painted(edge) == Self.square(8..<10, 8..<9).union(Self.square(8..<9, 8..<10)))
    }

    @Test(arguments: [
        Rect(x: 100, y: 100, width: 5, height: 5),
        Rect(x: -50, y: 2, width: 10, height: 3),
        Rect(x: .nan, y: 0, width: 5, height: 5),
        Rect(x: 0, y: 0, width: .infinity, height: 5),
        Rect(x: -.infinity, y: 0, width: .infinity, height: 5),
        Rect(x: -1e30, y: -1e30, width: 2e30, height: 2e30),
        Rect(x: 3, y: 3, width: 0, height: 4),
        Rect(x: .greatestFiniteMagnitude, y: 0, width: .greatestFiniteMagnitude, height: 1),
    ])
    func rectanglesOutsideOrDegenerateChangeNothing(rect: Rect) {
        var image = Image(width: 10, height: 10)
        image.drawRectangle(rect, color: .yellow, thickness: 3)
        #expect(Self.painted(image).isEmpty)
    }

    @Test func hugeFilledRectangleCoversTheImage() {
        var image = Image(width: 10, height: 10)
        image.fillRectangle(Rect(x: -1e30, y: -1e30, width: 2e30, height: 2e30), color: .blue)
        #expect(image == Image(width: 10, height: 10, color: .blue))
    }

    @Test(arguments: [Int.min, -3, 0, 1])
    func thinOrInvalidThicknessDrawsOnePixel(thickness: Int) {
        var image = Image(width: 10, height: 10)
        image.drawRectangle(Rect(x: 2, y: 2, width: 5, height: 5), color: .cyan, thickness: thickness)
        #expect(Self.painted(image) == Self.square(2..<7, 2..<7).subtracting(Self.square(3..<6, 3..<6)))
    }

    @Test func thickBorderFillsTheRectangle() {
        var image = Image(width: 10, height: 10)
        image.drawRectangle(Rect(x: 2, y: 2, width: 5, height: 3), color: .cyan, thickness: .max)
        #expect(Self.painted(image) == Self.square(2..<7, 2..<5))
    }

    // MARK: Dots

    @Test func dotOfRadiusZeroIsOnePixel() {
        var image = Image(width: 5, height: 5)
        image.drawDot(at: Point(x: 2.7, y: 1.2), radius: 0, color: .red)
        #expect(Self.painted(image) == [[2, 1]])
    }

    @Test func dotIsARoundDisc() {
        var image = Image(width: 21, height: 21)
        image.drawDot(at: Point(x: 10, y: 10), radius: 3, color: .red)
        let expected = Set((7...13).flatMap { y in (7...13).map { x in [x, y] } }.filter { point in
            let (dx, dy) = (point[0] - 10, point[1] - 10)
            return dx * dx + dy * dy <= 3 * 3 + 3
        })
        #expect(Self.painted(image) == expected)
        #expect(expected.contains([13, 10]) && expected.contains([12, 12]) && !expected.contains([13, 13]))
    }

    @Test func dotClipsAtTheBorder() {
        var image = Image(width: 10, height: 10)
        image.drawDot(at: Point(x: -2, y: 5), radius: 3, color: .red)
        // Rows 4–6 reach x = 1 (3² + 1² <= 12), rows 3 and 7 only x = 0 (2² + 2² <= 12 < 3² + 2²).
        #expect(Self.painted(image) == Self.square(0..<2, 4..<7).union([[0, 3], [0, 7]]))
    }

    @Test(arguments: [
        (Point(x: .nan, y: 1), 3), (Point(x: 1, y: .infinity), 3), (Point(x: 1e30, y: 1e30), 5),
        (Point(x: -1e9, y: 4), 1_000), (Point(x: 4, y: 4), -7),
    ])
    func strangeDotsAreSafe(center: Point, radius: Int) {
        var image = Image(width: 10, height: 10)
        image.drawDot(at: center, radius: radius, color: .red)
        #expect(Self.painted(image).count <= 1)
    }

    @Test func enormousDotCoversTheImage() {
        var image = Image(width: 10, height: 10)
        image.drawDot(at: Point(x: 5, y: 5), radius: .max, color: .green)
        #expect(image == Image(width: 10, height: 10, color: .green))
    }

    // MARK: Text

    static func art(_ image: Image) -> [String] {
        (0..<image.height).map { y in String((0..<image.width).map { x in image[x, y] == .black ? "." : "#" }) }
    }

    @Test func textRendersGlyphsInsideAOnePixelMargin() {
        var image = Image(width: 13, height: 9)
        image.drawText("Hi", at: Point(x: 0, y: 0), color: .white)
        #expect(Self.art(image) == [
            ".............",
            ".#...#...#...",
            ".#...#.......",
            ".#...#..##...",
            ".#####...#...",
            ".#...#...#...",
            ".#...#...#...",
            ".#...#..###..",
            ".............",
        ])
    }

    @Test func backgroundFillsExactlyTheTextBox() {
        let label = "male 0.98, 31y"
        let size = Image.textSize(label, scale: 2)
        #expect(size.width == (14 * 6 + 1) * 2 && size.height == 9 * 2)
        var image = Image(width: 200, height: 40)
        image.drawText(label, at: Point(x: 10, y: 5), color: .white, background: .blue, scale: 2)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let inside = (10..<10 + size.width).contains(x) && (5..<5 + size.height).contains(y)
                #expect((image[x, y] != .black) == inside, "(\(x), \(y))")
            }
        }
        #expect(Set(image.pixels).isSubset(of: [0, 255]))
    }

    @Test func textSizeCountsLinesAndTheLongestLine() {
        #expect(Image.textSize("") == (0, 0))
        #expect(Image.textSize("ab\nlonger\n") == (6 * 6 + 1, 3 * 9))
        #expect(Image.textSize("x", scale: -4) == (7, 9))
        #expect(Image.textSize("x", scale: 1_000) == (7 * 64, 9 * 64))
    }

    @Test func nonASCIIRendersAsQuestionMarks() {
        var accented = Image(width: 20, height: 9)
        accented.drawText("é×", at: Point(x: 0, y: 0), color: .white)
        var questions = Image(width: 20, height: 9)
        questions.drawText("??", at: Point(x: 0, y: 0), color: .white)
        #expect(accented == questions)
    }

    @Test(arguments: [Point(x: -7, y: -4), Point(x: 95, y: 15), Point(x: -1e20, y: 3), Point(x: 3, y: .nan)])
    func textClipsAtTheBorder(origin: Point) {
        var image = Image(width: 100, height: 20)
        image.drawText("clipped label", at: origin, color: .white, background: .red, scale: 3)
        #expect(image.pixels.count == 100 * 20 * 3)
    }

    @Test func partlyVisibleTextMatchesTheVisiblePart() {
        var whole = Image(width: 40, height: 20)
        whole.drawText("Wy", at: Point(x: 10, y: 5), color: .white)
        var shifted = Image(width: 40, height: 20)
        shifted.drawText("Wy", at: Point(x: -3, y: -2), color: .white)
        for y in 0..<(9 - 2) {
            for x in 0..<(13 - 3) {
                #expect(shifted[x, y] == whole[x + 13, y + 7], "(\(x), \(y))")
            }
        }
    }
}
