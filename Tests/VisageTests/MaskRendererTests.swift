import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore

/// The synthetic masks, drawn on a real portrait (the insightface sample) at its detected landmarks.
struct MaskRendererTests {
    let image: Image
    let face: Face

    init() async throws {
        image = try Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png"))
        let analyzer = try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = []; return c }())
        face = try #require(try await analyzer.analyze(image).largest)
    }

    private func changed(_ a: Image, _ b: Image, _ p: Point) -> Bool { a[Int(p.x), Int(p.y)] != b[Int(p.x), Int(p.y)] }

    @Test(arguments: MaskStyle.allCases)
    func coversNoseMouthAndChinButNotTheEyes(style: MaskStyle) {
        var masked = image
        MaskRenderer().render(on: &masked, landmarks: face.landmarks, style: style)
        let (le, re, nose, lm, rm) = (face.landmarks[0], face.landmarks[1], face.landmarks[2], face.landmarks[3], face.landmarks[4])
        let chin = Point(x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2 + 0.3 * (nose.y - (le.y + re.y) / 2))
        for p in [nose, lm, rm, chin] { #expect(changed(image, masked, p), "\(style): \(p) should be covered") }
        for p in [le, re, Point(x: 2, y: 2)] { #expect(!changed(image, masked, p), "\(style): \(p) should be untouched") }
    }

    @Test func edgesAreSoftNotStepped() {
        var masked = image
        MaskRenderer().render(on: &masked, landmarks: face.landmarks, style: .surgicalWhite)
        // Along the row of the mouth, going outwards from its centre, the change fades over
        // more than one pixel: some pixel is a mix of skin and mask.
        let y = Int(face.landmarks[3].y)
        let changedColumns = (0..<image.width).filter { masked[$0, y] != image[$0, y] }
        let edge = try! #require(changedColumns.first)
        let mixes = (edge..<(edge + 4)).map { x -> Float in
            let (o, m) = (image[x, y], masked[x, y])
            return Float(Int(m.g) - Int(o.g)) / Float(max(1, 232 - Int(o.g)))
        }
        #expect(mixes.contains { $0 > 0.05 && $0 < 0.8 }, "edge profile \(mixes)")
    }

    @Test func followsTheHeadsRoll() {
        // The same face turned 30° about its nose: the covered nose-to-chin points turn with it.
        let nose = face.landmarks[2], angle = Float.pi / 6
        let rotate = { (p: Point) in
            Point(x: nose.x + (p.x - nose.x) * cos(angle) - (p.y - nose.y) * sin(angle),
                  y: nose.y + (p.x - nose.x) * sin(angle) + (p.y - nose.y) * cos(angle))
        }
        let canvas = Image(width: image.width, height: image.height, color: RGB(r: 200, g: 150, b: 120))
        var masked = canvas
        MaskRenderer().render(on: &masked, landmarks: face.landmarks.map(rotate), style: .blackCloth)
        let mouth = rotate(Point(x: (face.landmarks[3].x + face.landmarks[4].x) / 2, y: face.landmarks[3].y))
        #expect(changed(canvas, masked, mouth))
        let rightEye = rotate(face.landmarks[1])
        #expect(!changed(canvas, masked, rightEye))
    }

    @Test func ignoresDegenerateLandmarks() {
        var masked = image
        MaskRenderer().render(on: &masked, landmarks: [], style: .surgicalBlue)
        MaskRenderer().render(on: &masked, landmarks: Array(repeating: Point(x: 10, y: 10), count: 5), style: .surgicalBlue)
        MaskRenderer().render(on: &masked, landmarks: face.landmarks.map { Point(x: $0.x + 1e6, y: $0.y) }, style: .surgicalBlue)
        #expect(masked == image)
    }
}
