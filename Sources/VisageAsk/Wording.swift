import Foundation
public import Visage
public import VisageCore

/// How scores and positions are put into words; one place, so describe and ask agree.
public enum Wording {
    /// A probability in words: "almost certainly" (≥ 0.95), "probably" (≥ 0.8), "possibly"
    /// (≥ 0.65), "unclear" below. The cut-offs are conventions, not calibrated: each answer
    /// also prints the number.
    public static func certainty(_ p: Float) -> String {
        switch p {
        case 0.95...: "almost certainly"
        case 0.8..<0.95: "probably"
        case 0.65..<0.8: "possibly"
        default: "unclear"
        }
    }

    /// Where a box sits in the picture: "on the left", "in the centre", "on the right",
    /// plus "near the top" or "near the bottom" (thirds of the image).
    public static func position(of box: Rect, width: Int, height: Int) -> String {
        let cx = box.center.x / Float(max(1, width)), cy = box.center.y / Float(max(1, height))
        var words = cx < 1 / 3 ? "on the left" : cx > 2 / 3 ? "on the right" : "in the centre"
        if cy < 1 / 3 { words += ", near the top" } else if cy > 2 / 3 { words += ", near the bottom" }
        return words
    }

    /// "1 face", "6 faces".
    public static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    static func percent(_ p: Float) -> String { String(format: "%.0f%%", p * 100) }
    static func score(_ p: Float) -> String { String(format: "%.2f", p) }

    /// "1st", "2nd", "3rd", "4th", …
    static func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th"
        return "\(n)\(suffix)"
    }
}

/// Apparent age in bands and the chance that the true age lies in one.
public enum AgeBands {
    /// Decade bands as in the UTKFace evaluation: "0–9", "10–19", …, "70+".
    public static let decades = ["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70+"]

    /// Typical error of an age model: its mean absolute error in years on UTKFace's held-out
    /// part (1,019 photos, `visage eval age-gender --part held-out`, docs/models/age-sface-head.md).
    public static func typicalError(of model: FaceAnalyzer.AttributeModel) -> Float {
        switch model {
        case .sfaceHead: 5.35
        case .separateNetwork: 6.38
        case .stacked: 4.90
        }
    }

    /// The range of a band label such as "20–29", "20-29" or "70+" (upper bound exclusive).
    public static func range(of band: String) -> Range<Float>? {
        let text = band.replacingOccurrences(of: "–", with: "-").replacingOccurrences(of: " ", with: "")
        if text.hasSuffix("+"), let low = Float(text.dropLast()) { return low..<200 }
        let parts = text.split(separator: "-")
        guard parts.count == 2, let low = Float(parts[0]), let high = Float(parts[1]), high >= low else { return nil }
        return low..<(high + 1)
    }

    /// The decade band holding `age`.
    public static func decade(of age: Float) -> String {
        let a = max(0, Int(age.rounded(.down)))
        return a >= 70 ? "70+" : "\(a / 10 * 10)–\(a / 10 * 10 + 9)"
    }

    /// Probability that the true age lies in `range` when the estimate is `age`, modelling the
    /// error as Laplace with mean absolute error `typicalError` (an approximation: the real
    /// error grows with age, see the README's table by age band).
    public static func probability(_ range: Range<Float>, estimate age: Float, typicalError: Float) -> Float {
        let b = typicalError
        func cdf(_ x: Float) -> Float { x < age ? 0.5 * exp((x - age) / b) : 1 - 0.5 * exp(-(x - age) / b) }
        // Ages below 0 do not exist: a range starting at 0 takes the whole lower tail.
        let low = range.lowerBound <= 0 ? 0 : cdf(range.lowerBound)
        return max(0, min(1, cdf(range.upperBound) - low))
    }
}
