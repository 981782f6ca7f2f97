/// The synthetic masks ``MaskRenderer`` can draw: two surgical colours, black cloth, a white
/// N95 and a patterned cloth, each with its own outline and surface.
public enum MaskStyle: String, Sendable, Hashable, CaseIterable, Codable {
    case surgicalBlue = "surgical-blue"
    case surgicalWhite = "surgical-white"
    case blackCloth = "black-cloth"
    case whiteN95 = "white-n95"
    case patternedCloth = "patterned-cloth"

    /// The style a seeded choice gives: `variant` modulo the number of styles.
    public static func forVariant(_ variant: UInt64) -> MaskStyle {
        allCases[Int(variant % UInt64(allCases.count))]
    }

    /// What the surface looks like between the outline's edges.
    enum Surface { case pleated, cloth, moulded, dotted }

    var surface: Surface {
        switch self {
        case .surgicalBlue, .surgicalWhite: .pleated
        case .blackCloth: .cloth
        case .whiteN95: .moulded
        case .patternedCloth: .dotted
        }
    }

    /// Base colour in sRGB 0–255 before shading.
    var colour: (Float, Float, Float) {
        switch self {
        case .surgicalBlue: (126, 178, 214)
        case .surgicalWhite: (232, 234, 236)
        case .blackCloth: (34, 34, 38)
        case .whiteN95: (238, 236, 228)
        case .patternedCloth: (38, 58, 112)
        }
    }

    /// Outline in the face frame of ``MaskRenderer`` (u across in face-scale units, v down
    /// from the eyes in eye-to-mouth units; the mouth is at v = 1, the nose tip near 0.5):
    /// half-width, the top edge at the centre and how far it falls by the cheeks (over the
    /// middle half of the width, then level), and the bottom edge at the sides and its drop to
    /// the chin. The top peaks over the bridge of the nose, as high as real masks sit (the
    /// first outlines started a tenth lower, and crops of them showed the upper nose that real
    /// masks hide), and runs level under the eyes.
    var outline: (halfWidth: Float, top: Float, topCurve: Float, bottomSide: Float, chinDrop: Float) {
        switch surface {
        case .pleated: (1.14, 0.0, 0.24, 1.22, 0.32)
        case .cloth, .dotted: (1.08, -0.02, 0.26, 1.12, 0.44)
        case .moulded: (1.0, -0.04, 0.28, 1.08, 0.46)
        }
    }
}
