import Foundation
public import VisageCore
public import Visage

/// A deliberately basic surgical-mask look, to make masked copies before the real renderer
/// (issue #5) lands: a filled polygon from the nose bridge over the cheeks to under the chin,
/// built from the five landmarks, with a soft (feathered) edge, a vertical shading gradient
/// and a few horizontal pleats; one of two colours (light blue or white) per image.
///
/// It has no 3-D head model, no ear loops, no texture and no occlusion handling, so strong
/// profiles get a flat shape; treat masks made with it as a first approximation, not as
/// training data whose realism has been measured.
public struct BasicMaskRenderer: FaceMaskRenderer {
    public let name = "basic-polygon"
    /// Colours picked by `variant`; default light blue and white.
    public var colours: [RGB] = [RGB(r: 142, g: 188, b: 222), RGB(r: 236, g: 238, b: 240)]
    /// Width of the soft edge as a fraction of the eye distance; default 0.06.
    public var feather: Float = 0.06

    public init() {}

    /// The mask outline in image pixels, clockwise from the nose bridge.
    public func polygon(for face: Face) -> [Point] {
        guard face.landmarks.count == 5 else { return [] }
        let (le, re, nose, lm, rm) = (face.landmarks[0], face.landmarks[1], face.landmarks[2], face.landmarks[3], face.landmarks[4])
        let eyeMid = Point(x: (le.x + re.x) / 2, y: (le.y + re.y) / 2)
        let mouthMid = Point(x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2)
        // The face's own axes, so a tilted head gets a tilted mask.
        var ax = Point(x: re.x - le.x, y: re.y - le.y)
        let eyeDistance = max(1, (ax.x * ax.x + ax.y * ax.y).squareRoot())
        ax = Point(x: ax.x / eyeDistance, y: ax.y / eyeDistance)
        var ay = Point(x: mouthMid.x - eyeMid.x, y: mouthMid.y - eyeMid.y)
        let faceHeight = max(1, (ay.x * ay.x + ay.y * ay.y).squareRoot())
        ay = Point(x: ay.x / faceHeight, y: ay.y / faceHeight)
        func at(_ origin: Point, _ u: Float, _ v: Float) -> Point {
            Point(x: origin.x + ax.x * u * eyeDistance + ay.x * v * faceHeight, y: origin.y + ax.y * u * eyeDistance + ay.y * v * faceHeight)
        }
        // Bridge just under the eyes at the nose's height fraction, cheeks past the eyes,
        // the chin one nose-to-mouth distance below the mouth.
        let bridge = at(Point(x: (eyeMid.x + nose.x) / 2, y: (eyeMid.y + nose.y) / 2), 0, -0.05)
        let chin = at(mouthMid, 0, 0.75)
        return [
            at(bridge, -0.6, 0.1), bridge, at(bridge, 0.6, 0.1),
            at(re, 0.38, 0.55), at(rm, 0.42, 0.35), at(rm, 0.25, 0.8), chin,
            at(lm, -0.25, 0.8), at(lm, -0.42, 0.35), at(le, -0.38, 0.55),
        ]
    }

    public func render(on image: inout Image, face: Face, variant: UInt64) {
        let poly = polygon(for: face)
        guard poly.count >= 3, face.landmarks.count == 5 else { return }
        let colour = colours[Int(variant % UInt64(max(1, colours.count)))]
        let eyeDistance = max(1, hypot(face.landmarks[1].x - face.landmarks[0].x, face.landmarks[1].y - face.landmarks[0].y))
        let soft = max(1, feather * eyeDistance)
        let minY = max(0, Int(poly.map(\.y).min()!.rounded(.down)) - 1), maxY = min(image.height - 1, Int(poly.map(\.y).max()!.rounded(.up)) + 1)
        let minX = max(0, Int(poly.map(\.x).min()!.rounded(.down)) - 1), maxX = min(image.width - 1, Int(poly.map(\.x).max()!.rounded(.up)) + 1)
        guard minY <= maxY, minX <= maxX else { return }
        let top = poly.map(\.y).min()!, bottom = poly.map(\.y).max()!
        let pleatSpacing = max(3, (bottom - top) / 7)
        for y in minY...maxY {
            for x in minX...maxX {
                let p = Point(x: Float(x) + 0.5, y: Float(y) + 0.5)
                let inside = Self.contains(poly, p)
                let distance = Self.edgeDistance(poly, p)
                // Coverage ramps from 0 at the outline to 1 one feather-width inside.
                let alpha = inside ? min(1, distance / soft) : 0
                guard alpha > 0 else { continue }
                // Darker towards the outline and the bottom, faint pleat lines: reads as cloth.
                let depth = min(1, distance / (3 * soft))
                let vertical = (p.y - top) / max(1, bottom - top)
                let pleat = abs(sin(Float.pi * (p.y - top) / pleatSpacing)) < 0.15 ? Float(0.9) : 1
                let shade = (0.78 + 0.22 * depth) * (1.0 - 0.12 * vertical) * pleat
                let old = image[x, y]
                func mix(_ a: UInt8, _ c: UInt8) -> UInt8 {
                    let value = Float(a) * (1 - alpha) + min(255, Float(c) * shade) * alpha
                    return UInt8(max(0, min(255, value.rounded())))
                }
                image[x, y] = RGB(r: mix(old.r, colour.r), g: mix(old.g, colour.g), b: mix(old.b, colour.b))
            }
        }
    }

    static func contains(_ poly: [Point], _ p: Point) -> Bool {
        var inside = false
        var j = poly.count - 1
        for i in poly.indices {
            let a = poly[i], b = poly[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    static func edgeDistance(_ poly: [Point], _ p: Point) -> Float {
        var best = Float.infinity
        var j = poly.count - 1
        for i in poly.indices {
            let a = poly[j], b = poly[i]
            let dx = b.x - a.x, dy = b.y - a.y
            let length2 = dx * dx + dy * dy
            let t = length2 > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0
            best = min(best, hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)))
            j = i
        }
        return best
    }
}
