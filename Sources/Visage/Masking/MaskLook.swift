import VisageCore

/// What one drawn mask looks like beyond its style: colour, print, how it sits on the face,
/// how deep its folds are, whether it has ear loops or a valve. Chosen from a seeded variant so
/// that the same (style, variant) always gives the same mask; variant 0 is the style's
/// canonical look (its base colour, no print change, centred), which mask-aware matching uses
/// for its templates. The palettes are the kinds of mask seen in web photos of people wearing
/// real ones (`masks/with_mask`): pale blue, teal and mint surgical masks; white, grey and pink
/// ones; black, charcoal, navy and grey cloth; white, grey and cream N95 and KN95 masks; printed
/// cloth in reds, pinks, navies, greens and black with dots, stripes, checks or small flowers.
struct MaskLook: Sendable {
    enum Print: Sendable { case none, dots, stripes, checks, flowers }

    /// Base colour (sRGB 0–255, as it looks in an evenly lit photo) and the print's colour.
    var colour: (Float, Float, Float)
    var accent: (Float, Float, Float)
    var print: Print
    /// Print repeat in face-scale units (≈ eye distance).
    var printScale: Float
    /// Where it sits: offset across (face-scale units), the top edge moved down (+) or up (−)
    /// in eye-to-mouth units, width and chin-drop factors, and an extra roll in radians.
    var shiftAcross: Float, topShift: Float, widthFactor: Float, chinFactor: Float, roll: Float
    /// Depth of folds and pleats (0 none, 1 the old renderer's), of the fabric's grain, and of
    /// the round shading across the cheeks.
    var folds: Float, grain: Float, roundness: Float
    /// Depth of the soft, irregular creases of fabric that does not lie flat (0 none).
    var wrinkles: Float = 0
    /// How much brighter than the face's light the mask comes out (1: as lit). Surgical masks
    /// are thin, pale, non-woven paper that catches the light: in crops of real ones
    /// (masks/with_mask) the mask region's median luma is 186 (blue) and 220 (white), against
    /// 151 and 201 for the renderer before this lift (and the brighter palettes).
    var lift: Float = 1
    /// Ear loops (and their colour), and an exhalation valve (N95 only).
    var loops: Bool
    var loopColour: (Float, Float, Float)
    var valve: Bool

    init(style: MaskStyle, variant: UInt64) {
        colour = style.colour
        accent = (235, 228, 210)
        print = style == .patternedCloth ? .dots : .none
        printScale = 0.2
        shiftAcross = 0; topShift = 0; widthFactor = 1; chinFactor = 1; roll = 0
        folds = 1; grain = 0.5; roundness = 1
        if style.surface == .pleated { lift = style == .surgicalWhite ? 1 : 1.07 }
        loops = style != .blackCloth && style != .patternedCloth
        loopColour = style == .whiteN95 ? (232, 232, 228) : (240, 240, 240)
        valve = false
        guard variant != 0 else { return }

        var random = SeededGenerator(seed: variant &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(MaskStyle.allCases.firstIndex(of: style)!))
        func jitter(_ c: (Float, Float, Float), _ amount: Float) -> (Float, Float, Float) {
            let common = random.uniform(-amount, amount)  // lighter or darker as a whole …
            return (c.0 + common + random.uniform(-amount, amount) / 2,  // … and a slight tint
                    c.1 + common + random.uniform(-amount, amount) / 2,
                    c.2 + common + random.uniform(-amount, amount) / 2)
        }
        let palette: [(Float, Float, Float)]
        switch style {
        case .surgicalBlue:
            // Real surgical blue comes out pale in photos: the mask region of crops of real
            // blue masks has a median colour of (161, 197, 209), blue minus red 40, where the
            // first palettes gave 85 (and a greyish or a saturated blue).
            palette = [(150, 196, 222), (136, 190, 220), (170, 208, 228), (140, 200, 206), (162, 212, 200), (150, 178, 220), (180, 212, 232)]
        case .surgicalWhite:
            palette = [(244, 246, 248), (232, 238, 244), (246, 242, 236), (238, 222, 232), (226, 236, 246), (214, 218, 226)]
        case .blackCloth:
            palette = [(34, 34, 38), (26, 26, 30), (52, 52, 58), (40, 46, 72), (74, 76, 82), (108, 110, 118), (62, 48, 44)]
        case .whiteN95:
            palette = [(238, 236, 228), (226, 226, 222), (204, 208, 214), (236, 226, 204), (214, 222, 232)]
        case .patternedCloth:
            palette = [(38, 58, 112), (186, 40, 52), (222, 150, 172), (30, 30, 36), (58, 108, 80), (200, 172, 126), (92, 62, 122), (226, 226, 222)]
        }
        colour = jitter(palette[random.index(palette.count)], 12)
        shiftAcross = random.uniform(-0.06, 0.06)
        topShift = random.uniform(-0.03, 0.08)
        widthFactor = random.uniform(0.95, 1.2)
        chinFactor = random.uniform(0.8, 1.2)
        roll = random.uniform(-0.06, 0.06)
        folds = random.uniform(0.15, 0.7)
        wrinkles = random.uniform(0.3, 1)
        if style.surface == .pleated {
            // Pleats that show as clear lines and few soft creases: the paper is stiff and
            // pleated flat (at 0.15-0.7 and 0.3-1 the surgical masks came out blotchy, and
            // were the two styles a classifier caught most, 91% and 93%).
            folds = random.uniform(0.6, 1.1)
            wrinkles = random.uniform(0.05, 0.35)
            // White ones came out too bright at 1.06-1.2 (median luma 237).
            lift = style == .surgicalWhite ? random.uniform(0.96, 1.06) : random.uniform(1.0, 1.14)
        }
        grain = random.uniform(0.2, 1)
        roundness = random.uniform(0.5, 1.2)
        loops = random.uniform(0, 1) < (style == .blackCloth || style == .patternedCloth ? 0.5 : 0.85)
        let loopChoices: [(Float, Float, Float)] = [(240, 240, 240), (200, 200, 204), colour]
        loopColour = loopChoices[random.index(loopChoices.count)]
        if style == .whiteN95 { valve = random.uniform(0, 1) < 0.3 }
        if style == .patternedCloth {
            let prints: [Print] = [.dots, .stripes, .checks, .flowers, .none, .none, .none]
            print = prints[random.index(prints.count)]
            printScale = random.uniform(0.1, 0.3)
            let accents: [(Float, Float, Float)] = [(235, 228, 210), (240, 200, 60), (30, 30, 36), (200, 40, 60), (120, 170, 220)]
            accent = accents[random.index(accents.count)]
        }
    }
}

/// Draws for a mask's look and its grain: VisageCore's seeded generator, so the same variant
/// gives the same mask on every platform.
extension SeededGenerator {
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// Smooth value noise in −1…1 (random values on an integer grid, interpolated with a
    /// smoothstep): soft creases that follow the mask's own coordinates.
    static func smoothNoise(_ a: Float, _ b: Float, _ seed: UInt64) -> Float {
        let (ia, ib) = (Int(a.rounded(.down)), Int(b.rounded(.down)))
        let (fa, fb) = (a - Float(ia), b - Float(ib))
        let (sa, sb) = (fa * fa * (3 - 2 * fa), fb * fb * (3 - 2 * fb))
        let top = noise(ia, ib, seed) * (1 - sa) + noise(ia + 1, ib, seed) * sa
        let bottom = noise(ia, ib + 1, seed) * (1 - sa) + noise(ia + 1, ib + 1, seed) * sa
        return top * (1 - sb) + bottom * sb
    }

    /// A hash of a pixel position to −1…1, for grain and noise that stay put when redrawn.
    static func noise(_ x: Int, _ y: Int, _ seed: UInt64) -> Float {
        var g = SeededGenerator(seed: seed ^ (UInt64(UInt32(truncatingIfNeeded: x)) << 32 | UInt64(UInt32(truncatingIfNeeded: y))))
        return Float(g.next() >> 40) / Float(1 << 23) - 1
    }
}
