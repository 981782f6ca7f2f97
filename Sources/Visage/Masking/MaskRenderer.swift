public import VisageCore
import Foundation

/// Draws a synthetic face mask fitted to a face's five landmarks (YuNet's eyes, nose tip and
/// mouth corners): from the nose bridge to under the chin, across both cheeks, rotated with
/// the head's roll and narrowed on the far side as the head turns (yaw, read from where the
/// nose sits between the eyes). Edges are feathered over about a pixel and a half so they are
/// anti-aliased rather than stair-stepped; the surface is shaded like a curved sheet (darker
/// towards the sides and the chin, lit like the face it covers) and carries its style's
/// detail: pleat folds and a nose wire (surgical), a weave (cloth), a centre seam and rim
/// (N95), dots (patterned cloth).
///
/// Used by `visage dataset mask` to make masked copies of datasets and by mask-aware matching
/// to make masked templates of an enrolled face.
///
/// ```swift
/// var image = try Image(contentsOf: "portrait.jpg")
/// let face = try await analyzer.analyze(image).largest!
/// MaskRenderer().render(on: &image, landmarks: face.landmarks, style: .surgicalBlue)
/// ```
///
/// It has no 3-D head model and no ear loops, and it ignores what stands in front of the
/// face (a hand, hair): it is a training and evaluation tool, not a photo editor.
public struct MaskRenderer: Sendable {
    /// Width of the soft edge in pixels at least; default 1.5.
    public var minimumFeather: Float = 1.5
    /// Soft edge as a fraction of the face scale (≈ eye distance), used when wider; default 0.02.
    public var relativeFeather: Float = 0.02

    public init() {}

    /// The face's own frame: origin between the eyes, `across` along the eye line (roll), `down`
    /// perpendicular to it; `scale` is the face scale in pixels (from the eye-to-mouth height,
    /// which a head turn does not shorten), `height` the eye-to-mouth distance, `yaw` the nose
    /// offset across in face-scale units (0 frontal, ± when turned).
    struct Frame {
        var origin: Point, across: Point, down: Point
        var scale: Float, height: Float, yaw: Float

        init?(landmarks: [Point]) {
            guard landmarks.count == 5, landmarks.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
            let (le, re, nose, lm, rm) = (landmarks[0], landmarks[1], landmarks[2], landmarks[3], landmarks[4])
            origin = Point(x: (le.x + re.x) / 2, y: (le.y + re.y) / 2)
            let mouth = Point(x: (lm.x + rm.x) / 2, y: (lm.y + rm.y) / 2)
            var ax = Point(x: re.x - le.x, y: re.y - le.y)
            let eyes = hypot(ax.x, ax.y)
            // A face seen from the side can have its eyes almost on top of each other: then
            // take the roll from the eye-to-mouth line instead.
            let vertical = Point(x: mouth.x - origin.x, y: mouth.y - origin.y)
            let verticalLength = hypot(vertical.x, vertical.y)
            guard verticalLength > 1 || eyes > 1 else { return nil }
            if eyes < 0.3 * verticalLength {
                ax = Point(x: vertical.y / verticalLength, y: -vertical.x / verticalLength)
            } else {
                ax = Point(x: ax.x / eyes, y: ax.y / eyes)
            }
            across = ax
            down = Point(x: -ax.y, y: ax.x)
            height = max(1, vertical.x * down.x + vertical.y * down.y, 0.5 * eyes)
            // In the ArcFace template the eye-to-mouth height is 1.15 eye distances.
            scale = max(1, height / 1.15)
            yaw = max(-0.6, min(0.6, ((nose.x - origin.x) * ax.x + (nose.y - origin.y) * ax.y) / scale))
        }

        func point(u: Float, v: Float) -> Point {
            Point(x: origin.x + across.x * u * scale + down.x * v * height, y: origin.y + across.y * u * scale + down.y * v * height)
        }

        func local(_ p: Point) -> (u: Float, v: Float) {
            let dx = p.x - origin.x, dy = p.y - origin.y
            return ((dx * across.x + dy * across.y) / scale, (dx * down.x + dy * down.y) / height)
        }
    }

    /// Paints a mask of `style` on the face with these five landmarks (image pixels); does
    /// nothing when they are not five finite, distinct points. Pixels outside the image are skipped.
    public func render(on image: inout Image, landmarks: [Point], style: MaskStyle) {
        guard let frame = Frame(landmarks: landmarks) else { return }
        let shape = style.outline
        // Turning the head moves the mask's centre with the nose and foreshortens the far half.
        let centre = frame.yaw
        let leftWidth = shape.halfWidth * max(0.35, min(1.5, 1 - 1.4 * frame.yaw))
        let rightWidth = shape.halfWidth * max(0.35, min(1.5, 1 + 1.4 * frame.yaw))
        let feather = max(minimumFeather, relativeFeather * frame.scale)

        // Where the mask can be, in pixels: the outline's extreme points.
        let corners = [(-leftWidth, shape.top - 0.05), (rightWidth, shape.top - 0.05), (-leftWidth, shape.bottomSide + shape.chinDrop + 0.05),
                       (rightWidth, shape.bottomSide + shape.chinDrop + 0.05), (0, shape.top - 0.05)]
            .map { frame.point(u: centre + $0.0, v: $0.1) }
        let margin = feather + 2
        let minX = max(0, Int((corners.map(\.x).min()! - margin).rounded(.down)))
        let maxX = min(image.width - 1, Int((corners.map(\.x).max()! + margin).rounded(.up)))
        let minY = max(0, Int((corners.map(\.y).min()! - margin).rounded(.down)))
        let maxY = min(image.height - 1, Int((corners.map(\.y).max()! + margin).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }

        // Lit like the face it covers: the brightness of the face region scales the mask's colour.
        let faceBox = Rect(x: frame.origin.x - frame.scale, y: frame.origin.y - 0.5 * frame.height,
                           width: 2 * frame.scale, height: 2 * frame.height)
        let luma = image.meanLuma(in: faceBox) ?? 128
        let light = max(0.55, min(1.1, 0.6 + 0.45 * luma / 160))
        let base = style.colour

        for y in minY...maxY {
            for x in minX...maxX {
                let (u, v) = frame.local(Point(x: Float(x) + 0.5, y: Float(y) + 0.5))
                let du = u - centre
                let side = du < 0 ? leftWidth : rightWidth
                let s = du / side  // −1 … 1 across the mask
                guard abs(s) < 1.05 else { continue }
                let sc = min(1, abs(s))
                let top = shape.top + shape.topCurve * sc * sc
                let bottom = shape.bottomSide + shape.chinDrop * (1 - sc * sc).squareRoot()
                // Distance inside the outline in pixels (approximate: the nearest of the three edges).
                let inside = min((1 - abs(s)) * side * frame.scale, (v - top) * frame.height, (bottom - v) * frame.height)
                let coverage = smoothstep((inside + 0.5 * feather) / feather)
                guard coverage > 0 else { continue }
                let t = max(0, min(1, (v - top) / max(0.01, bottom - top)))  // 0 at the top edge, 1 at the chin
                let curve: Float = 0.78 + 0.22 * (1 - sc * sc).squareRoot()  // a sheet curving round the cheeks
                let fromAbove: Float = 1.04 - 0.2 * t * t                     // lit from above, shadow under the chin
                let farSide: Float = max(0, s * frame.yaw)                    // the half turned away from the camera
                var shade: Float = curve * fromAbove * (1 - 0.4 * farSide)
                switch style.surface {
                case .pleated:
                    // Three folds: a dark crease with a light ridge just above it, following the top edge.
                    for fold: Float in [0.3, 0.52, 0.74] {
                        let d: Float = (t - fold) * (bottom - top) * frame.height / max(1.5, 0.035 * frame.scale)
                        let ridge: Float = d + 1.6
                        shade *= 1 - 0.22 * exp(-d * d) + 0.08 * exp(-ridge * ridge)
                    }
                    if t < 0.08 { shade *= 0.93 }  // the nose wire's seam
                case .cloth:
                    let thread: Float = max(2, 0.025 * frame.scale)  // pixels per thread
                    let texture: Float = weave(du * frame.scale / thread, v * frame.height / thread)
                    let sheen: Float = 0.5 * (1 - t) * (1 - sc)  // soft sheen on black cloth over the nose
                    shade *= (1 + 0.07 * texture) * (1 + sheen)
                case .moulded:
                    let seam: Float = du * frame.scale / max(1.2, 0.02 * frame.scale)
                    shade *= 1 - 0.12 * exp(-seam * seam)
                    if inside < 0.06 * frame.scale { shade *= 0.9 }  // the stitched rim
                case .dotted:
                    break
                }
                var colour = base
                if style.surface == .dotted {
                    // White dots on a grid in mask coordinates, so they follow the face.
                    let gu = du * 5, gv = v * 5 * frame.height / frame.scale
                    let fu = gu - gu.rounded(), fv = gv - gv.rounded()
                    let dot = smoothstep((0.22 - (fu * fu + fv * fv).squareRoot()) * 5 * frame.scale / 12)
                    colour = (base.0 + (235 - base.0) * dot, base.1 + (228 - base.1) * dot, base.2 + (210 - base.2) * dot)
                }
                let gain = shade * light
                image.blend(x: x, y: y, red: colour.0 * gain, green: colour.1 * gain, blue: colour.2 * gain, coverage: coverage)
            }
        }
    }

    private func smoothstep(_ x: Float) -> Float {
        let c = max(0, min(1, x))
        return c * c * (3 - 2 * c)
    }

    /// A plain-weave pattern in −1…1 over thread coordinates: crossing threads give a fine
    /// checker of bright and dark.
    private func weave(_ a: Float, _ b: Float) -> Float {
        sin(a * .pi) * sin(b * .pi)
    }
}
