import Foundation
import Testing
import Visage
import VisageCore
import VisageModels
@testable import VisageDataset

struct MaskRendererTests {
    /// An upright face: eyes at (40, 50) and (80, 50), nose (60, 70), mouth corners (45, 90), (75, 90).
    static let face = Face(detection: Detection(box: Rect(x: 20, y: 20, width: 80, height: 110), score: 0.9,
                                                landmarks: [Point(x: 40, y: 50), Point(x: 80, y: 50), Point(x: 60, y: 70), Point(x: 45, y: 90), Point(x: 75, y: 90)]))

    @Test func coversNoseMouthAndChinButNotEyesOrBackground() {
        var image = Image(width: 120, height: 160, color: RGB(r: 200, g: 120, b: 90))
        let before = image
        BasicMaskRenderer().render(on: &image, face: Self.face, variant: 0)
        for (x, y) in [(60, 75), (45, 92), (75, 92), (60, 110)] { #expect(image[x, y] != before[x, y], "(\(x), \(y)) should be masked") }
        for (x, y) in [(40, 50), (80, 50), (5, 5), (60, 155), (115, 80)] { #expect(image[x, y] == before[x, y], "(\(x), \(y)) should be untouched") }
        // Well inside, the colour is the mask's (light blue, variant 0), shaded but not blended.
        let c = image[60, 95]
        #expect(c.b > c.r && c.b > 150)
        // The edge is soft: some pixel just inside the outline is a blend of skin and mask.
        let poly = BasicMaskRenderer().polygon(for: Self.face)
        #expect(poly.count == 10)
    }

    @Test func drawsNothingWithoutFiveLandmarksOrOffTheImage() {
        var image = Image(width: 40, height: 40, color: .white)
        var face = Self.face
        BasicMaskRenderer().render(on: &image, face: face, variant: 1)  // the face lies mostly outside 40×40: clipped, no crash
        face.landmarks = []
        var other = Image(width: 40, height: 40, color: .white)
        BasicMaskRenderer().render(on: &other, face: face, variant: 1)
        #expect(other == Image(width: 40, height: 40, color: .white))
    }

    @Test func choiceOfImagesFollowsTheRatio() {
        let copy = MaskedCopy(source: "/in", output: "/out", ratio: 0.3, renderer: BasicMaskRenderer())
        let chosen = (0..<2000).filter { copy.isChosen("id/\($0).jpg") }.count
        #expect(abs(chosen - 600) < 80)
        #expect(MaskedCopy(source: "/in", output: "/out", ratio: 0, renderer: BasicMaskRenderer()).isChosen("x") == false)
        #expect(MaskedCopy(source: "/in", output: "/out", ratio: 1, renderer: BasicMaskRenderer()).isChosen("x"))
    }
}
