import Foundation

/// Age and gender from both of Visage's readers at once: our heads on SFace's feature map
/// (``SFaceAgeHead``, ``SFaceGenderHead``) and the package's networks of their own
/// (``AgeEstimator``, ``GenderClassifier``), combined by a second level fitted on the heads'
/// out-of-fold answers for UTKFace's training part (`training/bn1-heads/fit_stack.py`; the
/// numbers below are its `results/stack-coefficients.json`). Their errors differ: the package's
/// age network reads children far better (held-out MAE under ten 3.0 years against the head's
/// 5.3) and the head reads adults better, so the combination beats both (cards
/// `docs/models/age-sface-head.md`, `gender-sface-head.md`).
///
/// The coefficients belong to the shipped head files: retraining a head means refitting them.
public enum StackedAgeGender {
    /// Where the age combination's slopes may change (years).
    static let knots: [Float] = [5, 10, 15, 20, 30, 40, 50, 60, 70]
    static let ageIntercept: Float = 0.7221544145158192
    static let headSlope: Float = 0.00016441188646305603
    static let packageSlope: Float = 0.7338527974657324
    /// Change of the head's slope past each knot.
    static let headHinges: [Float] = [0.16707954716696624, -0.3778494622696338, 1.7396116673188673, -1.0423259190847087, 0.5038023786193703,
                                      0.018288476132714893, -0.4175436084620328, 0.8373769113383805, -0.6838558893266649]
    /// Change of the package network's slope past each knot.
    static let packageHinges: [Float] = [0.2069227204040811, -0.7476555830265359, 0.5100104640272339, -0.5493501501252079, 0.11741995449914452,
                                         0.053001558175298225, -0.31888131442170864, 0.2326523933936122, -0.1040127803598675]
    static let genderIntercept: Float = 0.12270751255258407
    static let headLogitWeight: Float = 0.7939135273659595
    static let packageLogitWeight: Float = 0.11512511166528132

    /// Age in years (never below 0) from the head's estimate and the package network's,
    /// the latter averaged over the face's chip and its mirror image
    /// (``AgeEstimator/estimate(_:)`` on both), as the coefficients were fitted.
    public static func age(head: Float, package: Float) -> Float {
        let head = max(0, head)
        var age = ageIntercept + headSlope * head + packageSlope * package
        for (k, knot) in knots.enumerated() {
            age += headHinges[k] * max(0, head - knot) + packageHinges[k] * max(0, package - knot)
        }
        return max(0, age)
    }

    /// Female or male from the two estimates: p(male) = σ(w₁·logit(head) + w₂·logit(package) + w₀),
    /// with each estimate's logit ln(p_male / p_female) (probabilities clamped to 10⁻⁶…1 − 10⁻⁶).
    public static func gender(head: GenderEstimate, package: GenderEstimate) -> GenderEstimate {
        func logit(_ estimate: GenderEstimate) -> Float {
            let male = min(max(estimate.label == .male ? estimate.score : 1 - estimate.score, 1e-6), 1 - 1e-6)
            return log(male / (1 - male))
        }
        let z = genderIntercept + headLogitWeight * logit(head) + packageLogitWeight * logit(package)
        let male = 1 / (1 + exp(-z))
        return male >= 0.5 ? GenderEstimate(label: .male, score: male) : GenderEstimate(label: .female, score: 1 - male)
    }
}
