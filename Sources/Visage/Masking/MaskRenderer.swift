public import VisageCore
import Foundation

/// Draws a face mask fitted to a face's five landmarks (YuNet's eyes, nose tip and mouth
/// corners) that should pass for a real one in the same photo: from the nose bridge to under
/// the chin, across both cheeks, rotated with the head's roll and narrowed on the far side as
/// the head turns (yaw, read from where the nose sits between the eyes).
///
/// Two things make it look real rather than pasted on:
/// - **The mask itself varies** with a seeded `variant` (``MaskLook``): colour within its
///   style's palette, prints on patterned cloth, how high and how off-centre it sits, its
///   width and roll, the depth of pleats and folds, fabric grain, ear loops, an N95's valve.
///   Variant 0 is the style's canonical look.
/// - **It is photographed like the face it covers.** Before painting, the renderer measures the
///   photo around the eyes: how blurred it is (how much a further 1-pixel blur still lowers its
///   strongest gradients), how grainy (the median residual against a 3×3 mean), how bright,
///   the photo's colour cast (grey world), and how the light falls across the lower face (a
///   coarse grid of the skin's brightness). The mask is shaded with that light and cast, drawn
///   into a layer, blurred to the photo's sharpness, given the photo's grain, and only then
///   laid over the face, so it is never sharper or cleaner than the photo around it.
///
/// Used by `visage dataset mask` to make masked copies of datasets and by mask-aware matching
/// to make masked templates of an enrolled face.
///
/// ```swift
/// var image = try Image(contentsOf: "portrait.jpg")
/// let face = try await analyzer.analyze(image).largest!
/// MaskRenderer().render(on: &image, landmarks: face.landmarks, style: .surgicalBlue, variant: 7)
/// ```
///
/// It has no 3-D head model and ignores what stands in front of the face (a hand, hair): it is
/// a training and evaluation tool, not a photo editor. The same image, landmarks, style and
/// variant always give the same pixels.
public struct MaskRenderer: Sendable {
    /// What the renderer draws, as a number to bump whenever its pixels change, so that caches
    /// of what was measured on rendered masks (``MaskedEmbeddings``' file) are recomputed rather
    /// than silently reused: 1 the flat styles, 2 the seeded looks matched to the photo, 3 the
    /// redone surgical masks (paler blue, crisp pleats, bound edges, lift).
    public static let revision = 3

    /// Width of the soft edge in pixels at least; default 1.5.
    public var minimumFeather: Float = 1.5
    /// Soft edge as a fraction of the face scale (≈ eye distance), used when wider; default 0.02.
    public var relativeFeather: Float = 0.02
    /// Whether to match the photo's blur, grain, light and colour cast; default true. Off, the
    /// mask is drawn crisp and clean, lit only by the face's mean brightness.
    public var matchesPhoto = true

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

        /// The frame turned by `roll` radians and moved `shift` face-scale units across: a mask
        /// that sits a little off.
        func moved(shift: Float, roll: Float) -> Frame {
            var f = self
            let (c, s) = (cos(roll), sin(roll))
            f.across = Point(x: c * across.x - s * across.y, y: s * across.x + c * across.y)
            f.down = Point(x: -f.across.y, y: f.across.x)
            f.origin = Point(x: origin.x + across.x * shift * scale, y: origin.y + across.y * shift * scale)
            return f
        }

        func point(u: Float, v: Float) -> Point {
            Point(x: origin.x + across.x * u * scale + down.x * v * height, y: origin.y + across.y * u * scale + down.y * v * height)
        }

        func local(_ p: Point) -> (u: Float, v: Float) {
            let dx = p.x - origin.x, dy = p.y - origin.y
            return ((dx * across.x + dy * across.y) / scale, (dx * down.x + dy * down.y) / height)
        }
    }

    /// Paints a mask of `style` on the face with these five landmarks (image pixels), looking
    /// as `variant` chooses (0: the style's canonical look); does nothing when they are not five
    /// finite, distinct points. Pixels outside the image are skipped.
    public func render(on image: inout Image, landmarks: [Point], style: MaskStyle, variant: UInt64 = 0) {
        guard let face = Frame(landmarks: landmarks) else { return }
        let look = MaskLook(style: style, variant: variant)
        let frame = face.moved(shift: look.shiftAcross, roll: look.roll)
        let shape = style.outline
        let top = max(-0.06, shape.top + look.topShift), topCurve = shape.topCurve
        let chinDrop = shape.chinDrop * look.chinFactor, bottomSide = shape.bottomSide
        let halfWidth = shape.halfWidth * look.widthFactor
        // Turning the head moves the mask's centre with the nose and foreshortens the far half.
        let centre = frame.yaw
        // The far half is the one the nose moves towards (yaw > 0: the image's right); the first
        // renderer widened it instead, which pushed masks off turned faces.
        let leftWidth = halfWidth * max(0.35, min(1.5, 1 + 1.4 * frame.yaw))
        let rightWidth = halfWidth * max(0.35, min(1.5, 1 - 1.4 * frame.yaw))
        let feather = max(minimumFeather, relativeFeather * frame.scale)

        // Ear loops run from the mask's upper and lower corners back towards the ears; the one
        // on the far side of a turned head is hidden behind it.
        struct Loop { var from: Point, to: Point }
        var loops: [Loop] = []
        if look.loops {
            for sign: Float in [-1, 1] where sign * frame.yaw < 0.25 {
                let width = sign < 0 ? leftWidth : rightWidth
                let ear = frame.point(u: centre + sign * (width + 0.16), v: 0.3)
                loops.append(Loop(from: frame.point(u: centre + sign * width * 0.97, v: top + topCurve + 0.04), to: ear))
                loops.append(Loop(from: frame.point(u: centre + sign * width * 0.97, v: bottomSide + 0.02), to: ear))
            }
        }
        let loopHalfWidth = max(0.5, 0.014 * frame.scale)

        // Where the mask can be, in pixels: the outline's extreme points and the loops, plus
        // room for the soft edge and the blur.
        var extremes = [(-leftWidth, top - 0.05), (rightWidth, top - 0.05), (-leftWidth, bottomSide + chinDrop + 0.05),
                        (rightWidth, bottomSide + chinDrop + 0.05), (0, top - 0.05)]
            .map { frame.point(u: centre + $0.0, v: $0.1) }
        extremes += loops.map(\.to)
        let photo = matchesPhoto ? PhotoLook(measuring: image, around: face) : PhotoLook(meanOf: image, around: face)
        let margin = feather + 2 + 3 * photo.blur + loopHalfWidth
        let minX = max(0, Int((extremes.map(\.x).min()! - margin).rounded(.down)))
        let maxX = min(image.width - 1, Int((extremes.map(\.x).max()! + margin).rounded(.up)))
        let minY = max(0, Int((extremes.map(\.y).min()! - margin).rounded(.down)))
        let maxY = min(image.height - 1, Int((extremes.map(\.y).max()! + margin).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        let light = LightField(image, minX: minX, maxX: maxX, minY: minY, maxY: maxY,
                               cell: max(3, Int(0.35 * frame.scale)), enabled: matchesPhoto)

        // The mask drawn into a layer first: premultiplied colour and coverage.
        let w = maxX - minX + 1, h = maxY - minY + 1
        var red = [Float](repeating: 0, count: w * h), green = red, blue = red, alpha = red
        let base = look.colour
        let darkness = 1 - (0.299 * base.0 + 0.587 * base.1 + 0.114 * base.2) / 255
        let grainSeed = variant &* 0xD1B5_4A32_D192_ED03 &+ UInt64(MaskStyle.allCases.firstIndex(of: style)!)
        for y in minY...maxY {
            for x in minX...maxX {
                let p = Point(x: Float(x) + 0.5, y: Float(y) + 0.5)
                let (u, v) = frame.local(p)
                let du = u - centre
                let side = du < 0 ? leftWidth : rightWidth
                let s = du / side  // −1 … 1 across the mask
                var coverage: Float = 0
                var colour: (Float, Float, Float) = (0, 0, 0)
                if abs(s) < 1.05 {
                    let sc = min(1, abs(s))
                    let edgeTop = top + topCurve * smoothstep(sc / 0.5)  // a tent over the nose, level under the eyes
                    let bottom = bottomSide + chinDrop * (1 - sc * sc).squareRoot()
                    // Distance inside the outline in pixels (approximate: the nearest of the three edges).
                    let inside = min((1 - abs(s)) * side * frame.scale, (v - edgeTop) * frame.height, (bottom - v) * frame.height)
                    coverage = smoothstep((inside + 0.5 * feather) / feather)
                    if coverage > 0 {
                        let t = max(0, min(1, (v - edgeTop) / max(0.01, bottom - edgeTop)))  // 0 at the top edge, 1 at the chin
                        let curve: Float = 1 - 0.22 * look.roundness * (1 - (1 - sc * sc).squareRoot())  // a sheet round the cheeks
                        let fromAbove: Float = 1.04 - 0.2 * t * t                                    // shadow under the chin
                        let farSide: Float = max(0, s * frame.yaw)                                   // the half turned away
                        var shade: Float = curve * fromAbove * (1 - 0.4 * farSide)
                        shade *= 1 + 0.1 * look.grain * SeededGenerator.noise(x, y, grainSeed)         // fabric grain
                        let across = du / 0.16, downward = v * frame.height / frame.scale / 0.16      // creases
                        shade *= 1 + 0.14 * look.wrinkles * SeededGenerator.smoothNoise(across, downward, grainSeed &+ 7)
                        switch style.surface {
                        case .pleated:
                            // Three folds: a dark crease with a light ridge just above it, level across the
                            // mask (measured from the top edge's level part, not the tent over the nose).
                            let level = top + topCurve
                            let tf = (v - level) / max(0.01, bottom - level)
                            // The fold is a thin line (real pleats are crisp), the ridge a wider band.
                            for fold: Float in [0.3, 0.52, 0.74] {
                                let d: Float = (tf - fold) * (bottom - level) * frame.height / max(1, 0.022 * frame.scale)
                                let ridge: Float = (d + 2.2) / 1.8
                                shade *= 1 - 0.24 * look.folds * exp(-d * d) + 0.1 * look.folds * exp(-ridge * ridge)
                            }
                            // The bound edges: a flat band along the top, the bottom and both sides,
                            // a little brighter, with a stitched seam on its inner side (the top one
                            // holds the nose wire, which shows as a faint ridge over the nose).
                            let band = max(1.5, 0.07 * frame.scale)
                            let fromTop = (v - edgeTop) * frame.height, fromBottom = (bottom - v) * frame.height
                            let fromSide = (1 - abs(s)) * side * frame.scale
                            let hem = min(fromTop, fromBottom, fromSide)
                            if hem < band { shade *= 1.04 }
                            let seam: Float = (hem - band) / max(0.7, 0.012 * frame.scale)
                            shade *= 1 - 0.16 * exp(-seam * seam)
                            if abs(du) < 0.3 {
                                let wire: Float = (fromTop - 0.45 * band) / max(0.8, 0.015 * frame.scale)
                                shade *= 1 + 0.06 * exp(-wire * wire)
                            }
                        case .cloth, .dotted:
                            let thread: Float = max(2, 0.025 * frame.scale)  // pixels per thread
                            let texture: Float = weave(du * frame.scale / thread, v * frame.height / thread)
                            let sheen: Float = 0.5 * darkness * (1 - t) * (1 - sc)  // soft sheen on dark cloth over the nose
                            let seam: Float = du * frame.scale / max(1.2, 0.02 * frame.scale)
                            shade *= (1 + 0.07 * look.grain * texture) * (1 + sheen) * (1 - 0.12 * look.folds * exp(-seam * seam))
                        case .moulded:
                            let seam: Float = du * frame.scale / max(1.2, 0.02 * frame.scale)
                            shade *= 1 - 0.12 * look.folds * exp(-seam * seam)
                            if inside < 0.06 * frame.scale { shade *= 0.9 }  // the stitched rim
                        }
                        colour = base
                        let printed = printCover(look, du: du, v: v * frame.height / frame.scale, pixels: frame.scale)
                        if printed > 0 {
                            let a = look.accent
                            colour = (base.0 + (a.0 - base.0) * printed, base.1 + (a.1 - base.1) * printed, base.2 + (a.2 - base.2) * printed)
                        }
                        if look.valve {
                            // A round valve on the wearer's left cheek: a grey disc with a darker rim.
                            let dv = (v - 0.78) * frame.height / frame.scale, dc = du + 0.42 * side / halfWidth
                            let r = (dc * dc + dv * dv).squareRoot() / 0.14
                            let disc = smoothstep((1 - r) * 0.14 * frame.scale / 1.2 + 0.5)
                            colour = (colour.0 + (150 - colour.0) * disc, colour.1 + (156 - colour.1) * disc, colour.2 + (162 - colour.2) * disc)
                            shade *= 1 - 0.25 * exp(-pow((r - 1) * 0.14 * frame.scale / 1.2, 2))
                        }
                        shade *= look.lift
                        colour = (colour.0 * shade, colour.1 * shade, colour.2 * shade)
                    }
                }
                // Loops lie under the mask's edge.
                var loopCoverage: Float = 0
                for loop in loops {
                    let d = distance(p, loop.from, loop.to)
                    loopCoverage = max(loopCoverage, smoothstep(loopHalfWidth - d + 0.5))
                }
                let covered = coverage + (1 - coverage) * loopCoverage
                guard covered > 0.004 else { continue }
                let lit = light.gain(x: x, y: y) * photo.brightness
                let lc = look.loopColour
                let index = (y - minY) * w + (x - minX)
                let loopPart = (1 - coverage) * loopCoverage
                red[index] = (colour.0 * coverage + lc.0 * loopPart) * lit * photo.cast.0
                green[index] = (colour.1 * coverage + lc.1 * loopPart) * lit * photo.cast.1
                blue[index] = (colour.2 * coverage + lc.2 * loopPart) * lit * photo.cast.2
                alpha[index] = covered
            }
        }

        // As sharp and as grainy as the photo: blur the layer (the drawn edge is already soft
        // over about half a pixel), then add the photo's grain where the mask is.
        let blur = (max(0, photo.blur * photo.blur - 0.25)).squareRoot()
        if blur > 0.2 {
            gaussianBlur(&red, width: w, height: h, sigma: blur)
            gaussianBlur(&green, width: w, height: h, sigma: blur)
            gaussianBlur(&blue, width: w, height: h, sigma: blur)
            gaussianBlur(&alpha, width: w, height: h, sigma: blur)
        }
        let noiseSeed = grainSeed ^ 0x5851_F42D_4C95_7F2D
        for y in minY...maxY {
            for x in minX...maxX {
                let index = (y - minY) * w + (x - minX)
                let a = min(1, alpha[index])
                guard a > 0.01 else { continue }
                var (r, g, b) = (red[index] / a, green[index] / a, blue[index] / a)
                if photo.grain > 0.3 {
                    // Roughly normal (the sum of three uniforms), mostly in brightness as a sensor's is.
                    let n = photo.grain * (SeededGenerator.noise(x, y, noiseSeed) + SeededGenerator.noise(x, y, noiseSeed &+ 1)
                                           + SeededGenerator.noise(x, y, noiseSeed &+ 2))
                    let chroma = 0.3 * photo.grain * SeededGenerator.noise(x, y, noiseSeed &+ 3)
                    r += n + chroma; g += n; b += n - chroma
                }
                image.blend(x: x, y: y, red: r, green: g, blue: b, coverage: a)
            }
        }
    }

    /// How much of the print's colour a point of the mask shows (0…1), anti-aliased over about a
    /// pixel; `du` across and `v` down in face-scale units, `pixels` the face scale in pixels.
    private func printCover(_ look: MaskLook, du: Float, v: Float, pixels: Float) -> Float {
        let gu = du / look.printScale, gv = v / look.printScale
        let perPixel = max(1, look.printScale * pixels)  // pixels per repeat
        switch look.print {
        case .none:
            return 0
        case .dots:
            let fu = gu - gu.rounded(), fv = gv - gv.rounded()
            return smoothstep((0.22 - (fu * fu + fv * fv).squareRoot()) * perPixel + 0.5)
        case .stripes:
            let f = (gu + gv) / 2
            return smoothstep((0.18 - abs(f - f.rounded())) * perPixel + 0.5)
        case .checks:
            // Gingham: a band across and a band down, half strength where only one crosses.
            let a = smoothstep((0.25 - abs(gu - gu.rounded())) * perPixel + 0.5)
            let b = smoothstep((0.25 - abs(gv - gv.rounded())) * perPixel + 0.5)
            return 0.45 * a + 0.45 * b + 0.1 * a * b
        case .flowers:
            // Five-petalled flowers on a staggered grid.
            let row = gv.rounded(.down)
            let su = gu + (Int(row) % 2 == 0 ? 0 : 0.5)
            let fu = su - su.rounded(), fv = gv - row - 0.5
            let r = (fu * fu + fv * fv).squareRoot(), angle = atan2(fv, fu)
            let petals = 0.3 * (0.65 + 0.35 * cos(5 * angle))
            return smoothstep((petals - r) * perPixel + 0.5)
        }
    }

    private func distance(_ p: Point, _ a: Point, _ b: Point) -> Float {
        let (abx, aby) = (b.x - a.x, b.y - a.y)
        let t = max(0, min(1, ((p.x - a.x) * abx + (p.y - a.y) * aby) / max(1e-6, abx * abx + aby * aby)))
        return hypot(p.x - a.x - t * abx, p.y - a.y - t * aby)
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

/// Separable Gaussian blur of a single-channel buffer in place; edges clamp.
func gaussianBlur(_ values: inout [Float], width: Int, height: Int, sigma: Float) {
    guard sigma > 0.05, width > 0, height > 0 else { return }
    let radius = max(1, Int((3 * sigma).rounded(.up)))
    var kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
    let total = kernel.reduce(0, +)
    kernel = kernel.map { $0 / total }
    var scratch = values
    for y in 0..<height {
        for x in 0..<width {
            var sum: Float = 0
            for k in -radius...radius { sum += kernel[k + radius] * values[y * width + min(width - 1, max(0, x + k))] }
            scratch[y * width + x] = sum
        }
    }
    for y in 0..<height {
        for x in 0..<width {
            var sum: Float = 0
            for k in -radius...radius { sum += kernel[k + radius] * scratch[min(height - 1, max(0, y + k)) * width + x] }
            values[y * width + x] = sum
        }
    }
}

/// What the photo around a face is like, measured on the unmasked upper face (eyes, brows,
/// bridge of the nose): how blurred (σ in pixels), how grainy (σ of the noise, 0–255), how
/// bright (a gain for the mask's colours), and its colour cast (per-channel gains, grey world).
struct PhotoLook {
    var blur: Float = 0, grain: Float = 0, brightness: Float = 1
    var cast: (Float, Float, Float) = (1, 1, 1)

    /// Only the brightness (``MaskRenderer/matchesPhoto`` off).
    init(meanOf image: Image, around face: MaskRenderer.Frame) {
        brightness = Self.brightness(image, face)
    }

    init(measuring image: Image, around face: MaskRenderer.Frame) {
        brightness = Self.brightness(image, face)
        // Grey world over the whole photo (every 4th pixel each way), gently: a white mask
        // takes a little of the light's colour.
        var sums: (Double, Double, Double) = (0, 0, 0), count = 0.0
        for y in stride(from: 0, to: image.height, by: 4) {
            for x in stride(from: 0, to: image.width, by: 4) {
                let c = image[x, y]
                sums.0 += Double(c.r); sums.1 += Double(c.g); sums.2 += Double(c.b); count += 1
            }
        }
        let mean = (sums.0 + sums.1 + sums.2) / (3 * count)
        if mean > 8 {
            func gain(_ s: Double) -> Float { Float(max(0.9, min(1.1, pow(s / count / mean, 0.3)))) }
            cast = (gain(sums.0), gain(sums.1), gain(sums.2))
        }

        // The upper face's luma, axis-aligned around the eyes (the part a mask leaves bare).
        let corners = [(-1.0, -0.6), (1.0, -0.6), (-1.0, 0.15), (1.0, 0.15)].map { face.point(u: Float($0.0), v: Float($0.1)) }
        let x0 = max(0, Int(corners.map(\.x).min()!)), x1 = min(image.width, Int(corners.map(\.x).max()!.rounded(.up)))
        let y0 = max(0, Int(corners.map(\.y).min()!)), y1 = min(image.height, Int(corners.map(\.y).max()!.rounded(.up)))
        let w = x1 - x0, h = y1 - y0
        guard w >= 8, h >= 8 else { return }
        var luma = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                luma[y * w + x] = image[x0 + x, y0 + y].luma
            }
        }
        // Blur: a step edge blurred by σ loses the fraction σ/√(σ²+1) of its slope under a
        // further blur of 1 pixel; read σ back from the strongest gradients (90th percentile).
        var blurred = luma
        gaussianBlur(&blurred, width: w, height: h, sigma: 1)
        func strongGradient(_ v: [Float]) -> Float {
            var g: [Float] = []
            g.reserveCapacity(w * h)
            for y in 0..<(h - 1) {
                for x in 0..<(w - 1) {
                    g.append(abs(v[y * w + x + 1] - v[y * w + x]) + abs(v[(y + 1) * w + x] - v[y * w + x]))
                }
            }
            g.sort()
            return g[Int(Float(g.count - 1) * 0.9)]
        }
        let sharp = strongGradient(luma), soft = strongGradient(blurred)
        if sharp > 2 {
            let ratio = min(0.985, soft / sharp)
            blur = min(0.08 * face.scale + 0.5, max(0, ratio / (1 - ratio * ratio).squareRoot()))
        } else {
            blur = 1
        }
        // Grain: the median absolute difference from the 3×3 mean, as a noise σ (robust to
        // edges; skin's own texture counts too, so only two thirds of it is taken).
        var residuals: [Float] = []
        residuals.reserveCapacity(w * h)
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                var sum: Float = 0
                for dy in -1...1 { for dx in -1...1 { sum += luma[(y + dy) * w + x + dx] } }
                residuals.append(abs(luma[y * w + x] - sum / 9))
            }
        }
        residuals.sort()
        grain = min(6, 1.05 * residuals[residuals.count / 2])
    }

    /// The face's light as a gain on the mask's colours: a mask in a dim photo is dim. A little
    /// darker than the first renderer's (which gave 0.6 + 0.45 · luma / 160, up to 1.1): its
    /// masks came out brighter than real ones in the same kind of photo (median luma of the
    /// crops' mask region 161 against 133).
    private static func brightness(_ image: Image, _ face: MaskRenderer.Frame) -> Float {
        let box = Rect(x: face.origin.x - face.scale, y: face.origin.y - 0.5 * face.height, width: 2 * face.scale, height: 2 * face.height)
        let luma = image.meanLuma(in: box) ?? 128
        return max(0.5, min(1.02, 0.52 + 0.45 * luma / 160))
    }
}

/// How the light falls across the region the mask will cover: the photo's brightness on a
/// coarse grid (cells about a third of the eye distance, so lips and nostrils average away),
/// interpolated, relative to its mean and softened (square root, 0.75–1.3).
struct LightField {
    private var cells: [Float] = []
    private var columns = 0, rows = 0, cell = 1, minX = 0, minY = 0
    private var enabled: Bool

    init(_ image: Image, minX: Int, maxX: Int, minY: Int, maxY: Int, cell: Int, enabled: Bool) {
        self.enabled = enabled
        guard enabled else { return }
        self.cell = cell; self.minX = minX; self.minY = minY
        columns = (maxX - minX) / cell + 1
        rows = (maxY - minY) / cell + 1
        cells = [Float](repeating: 0, count: columns * rows)
        var counts = cells
        for y in minY...maxY {
            for x in minX...maxX {
                let i = ((y - minY) / cell) * columns + (x - minX) / cell
                cells[i] += image[x, y].luma
                counts[i] += 1
            }
        }
        for i in cells.indices { cells[i] /= max(1, counts[i]) }
        let mean = cells.reduce(0, +) / Float(cells.count)
        for i in cells.indices { cells[i] = max(0.75, min(1.3, (max(1, cells[i]) / max(1, mean)).squareRoot())) }
    }

    func gain(x: Int, y: Int) -> Float {
        guard enabled, !cells.isEmpty else { return 1 }
        let fx = max(0, min(Float(columns - 1), (Float(x - minX) + 0.5) / Float(cell) - 0.5))
        let fy = max(0, min(Float(rows - 1), (Float(y - minY) + 0.5) / Float(cell) - 0.5))
        let cx = min(columns - 2, Int(fx)), cy = min(rows - 2, Int(fy))
        guard cx >= 0, cy >= 0 else { return cells[Int(fy) * columns + Int(fx)] }
        let ax = fx - Float(cx), ay = fy - Float(cy)
        let top = cells[cy * columns + cx] * (1 - ax) + cells[cy * columns + cx + 1] * ax
        let bottom = cells[(cy + 1) * columns + cx] * (1 - ax) + cells[(cy + 1) * columns + cx + 1] * ax
        return top * (1 - ay) + bottom * ay
    }
}
