import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore

/// The synthetic masks, drawn on a real portrait (the insightface sample) at its detected landmarks.
struct MaskRendererTests {
    let image: Image
    let face: Face
    /// Detection only (landmarks for the masks).
    let analyzer: FaceAnalyzer

    init() async throws {
        image = try Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png"))
        analyzer = try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = []; return c }())
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

    @Test func theSameVariantGivesTheSamePixelsAndOthersDiffer() {
        var first = image, again = image, other = image
        MaskRenderer().render(on: &first, landmarks: face.landmarks, style: .surgicalBlue, variant: 7)
        MaskRenderer().render(on: &again, landmarks: face.landmarks, style: .surgicalBlue, variant: 7)
        MaskRenderer().render(on: &other, landmarks: face.landmarks, style: .surgicalBlue, variant: 8)
        #expect(first == again)
        #expect(first != other)
    }

    @Test func variantsChangeTheColourAndTheFit() {
        // The colour under the nose across twelve variants of one style: several distinct shades.
        let (nose, lm, rm) = (face.landmarks[2], face.landmarks[3], face.landmarks[4])
        let probe = Point(x: (nose.x + (lm.x + rm.x) / 2) / 2, y: (nose.y + (lm.y + rm.y) / 2) / 2)
        var shades: [Int] = [], tops: [Int] = []
        for variant in UInt64(1)...12 {
            var masked = image
            MaskRenderer().render(on: &masked, landmarks: face.landmarks, style: .blackCloth, variant: variant)
            let c = masked[Int(probe.x), Int(probe.y)]
            shades.append((Int(c.r) + Int(c.g) + Int(c.b)) / 3)
            // The first changed row above the nose, down the nose's column: where the top edge sits.
            let x = Int(nose.x)
            tops.append((0..<Int(nose.y)).first { masked[x, $0] != image[x, $0] } ?? -1)
        }
        #expect(shades.max()! - shades.min()! > 25, "shades \(shades)")
        #expect(Set(tops).count >= 4, "top edges \(tops)")
    }

    @Test func aBlurredPhotoGetsASofterMaskEdge() {
        // The same portrait shrunk to a quarter and blown up again: the mask drawn on it must be
        // as soft as the photo, so its edge along the mouth row spreads over more pixels.
        let blurred = image.resized(width: image.width / 4, height: image.height / 4).resized(width: image.width, height: image.height)
        func edgeWidth(_ photo: Image) -> Int {
            var masked = photo
            MaskRenderer().render(on: &masked, landmarks: face.landmarks, style: .blackCloth)
            let y = Int(face.landmarks[3].y), cx = Int((face.landmarks[3].x + face.landmarks[4].x) / 2)
            // Along the row: pixels darkened part-way (a mix of skin and mask) at either edge.
            let inside = Float(masked[cx, y].g)
            return (0..<photo.width).filter { x in
                let (o, m) = (Float(photo[x, y].g), Float(masked[x, y].g))
                let mix = (o - m) / max(1, o - inside)
                return mix > 0.15 && mix < 0.85
            }.count
        }
        let sharp = edgeWidth(image), soft = edgeWidth(blurred)
        #expect(soft > sharp, "edge width sharp \(sharp) px, blurred \(soft) px")
    }

    @Test(.enabled(if: Fixtures.data("masks/without_mask/0_0_aidai_0029.jpg") != nil, "needs ../shared/data/masks (or $VISAGE_DATA)"))
    func everyLookCoversNoseBridgeToChinOnARealPhoto() async throws {
        let photo = try Image(contentsOf: Fixtures.data("masks/without_mask/0_0_aidai_0029.jpg")!)
        let found = try #require(try await analyzer.analyze(photo).largest)
        let (le, re, nose, lm, rm) = (found.landmarks[0], found.landmarks[1], found.landmarks[2], found.landmarks[3], found.landmarks[4])
        let eyes = Point(x: (le.x + re.x) / 2, y: (le.y + re.y) / 2), mouth = Point(x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2)
        // Halfway down the nose (its bridge), the nose tip, the mouth corners, and under the chin.
        let bridge = Point(x: eyes.x + 0.55 * (nose.x - eyes.x), y: eyes.y + 0.55 * (nose.y - eyes.y))
        let chin = Point(x: mouth.x + 0.3 * (mouth.x - eyes.x), y: mouth.y + 0.3 * (mouth.y - eyes.y))
        for style in MaskStyle.allCases {
            for variant in UInt64(0)...15 {
                var masked = photo
                MaskRenderer().render(on: &masked, landmarks: found.landmarks, style: style, variant: variant)
                let covered = [bridge, nose, lm, rm, chin].map { changed(photo, masked, $0) }
                // The eyes stay visible (a strand of ear loop or the blurred edge may brush them).
                let bare = [le, re].map { p in
                    let (a, b) = (photo[Int(p.x), Int(p.y)], masked[Int(p.x), Int(p.y)])
                    return max(abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b))) <= 16
                }
                #expect(covered.allSatisfy { $0 }, "\(style) \(variant): bridge, nose, mouth corners, chin covered: \(covered)")
                #expect(bare.allSatisfy { $0 }, "\(style) \(variant): eyes untouched: \(bare)")
            }
        }
    }
}
