import Foundation
import Testing
@testable import VisageCore

struct AffineTransformTests {
    @Test func similarityRecoversAKnownTransform() throws {
        // Rotate 30°, scale 1.7, translate (12, -5): the estimate must return exactly that map.
        let angle: Float = .pi / 6, scale: Float = 1.7
        let truth = AffineTransform(a: scale * cos(angle), b: -scale * sin(angle), tx: 12,
                                    c: scale * sin(angle), d: scale * cos(angle), ty: -5)
        let source = [Point(x: 10, y: 20), Point(x: 80, y: 25), Point(x: 45, y: 60), Point(x: 20, y: 90), Point(x: 75, y: 88)]
        let estimate = try #require(AffineTransform.similarity(from: source, to: source.map(truth.apply)))
        for (value, expected) in [(estimate.a, truth.a), (estimate.b, truth.b), (estimate.tx, truth.tx),
                                  (estimate.c, truth.c), (estimate.d, truth.d), (estimate.ty, truth.ty)] {
            #expect(abs(value - expected) < 1e-3)
        }
        #expect(abs(estimate.scale - scale) < 1e-4)
    }

    @Test func similarityHasNoReflection() throws {
        // Mirrored points cannot be matched by a rotation: the fit stays a proper rotation.
        let source = [Point(x: 0, y: 0), Point(x: 10, y: 0), Point(x: 0, y: 10)]
        let mirrored = source.map { Point(x: -$0.x, y: $0.y) }
        let estimate = try #require(AffineTransform.similarity(from: source, to: mirrored))
        #expect(estimate.a * estimate.d - estimate.b * estimate.c >= 0)
    }

    @Test func degenerateInputsGiveNil() {
        #expect(AffineTransform.similarity(from: [Point(x: 1, y: 1)], to: [Point(x: 2, y: 2)]) == nil)
        let same = [Point(x: 3, y: 3), Point(x: 3, y: 3)]
        #expect(AffineTransform.similarity(from: same, to: [Point(x: 0, y: 0), Point(x: 5, y: 5)]) == nil)
        #expect(AffineTransform(a: 0, b: 0, tx: 1, c: 0, d: 0, ty: 1).inverted == nil)
    }

    @Test func inverseUndoesTheMap() throws {
        let t = AffineTransform(a: 0.8, b: -0.3, tx: 40, c: 0.3, d: 0.8, ty: -7)
        let inverse = try #require(t.inverted)
        let p = Point(x: 123.5, y: -44.25)
        let back = inverse.apply(t.apply(p))
        #expect(abs(back.x - p.x) < 1e-3 && abs(back.y - p.y) < 1e-3)
    }
}
