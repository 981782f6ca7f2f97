import Foundation

/// Age and gender from both of Visage's readers at once: our heads on SFace's feature map
/// (``SFaceAgeHead``, ``SFaceGenderHead``) and the package's networks of their own
/// (``AgeEstimator``, ``GenderClassifier``), combined by a second level fitted on the heads'
/// out-of-fold answers for UTKFace's training part (`training/bn1-heads/fit_stack.py`; the
/// numbers below are its `results/stack-coefficients.json`). Their errors differ: the package's
/// age network reads children far better (held-out MAE under ten 3.0 years against the head's
/// 5.0) and the head reads adults better, so the combination beats both (cards
/// `docs/models/age-sface-head.md`, `gender-sface-head.md`).
///
/// The coefficients belong to the shipped head files: retraining a head means refitting them.
public enum StackedAgeGender {
    /// Where the age combination's slopes may change (years).
    static let knots: [Float] = [5, 10, 15, 20, 30, 40, 50, 60, 70]
    static let ageIntercept: Float = 0.7155367004585479
    static let headSlope: Float = 0.014076616174456127
    static let packageSlope: Float = 0.7789359078246937
    /// Change of the head's slope past each knot.
    static let headHinges: [Float] = [0.07056454709999951, -0.2344347494135461, 1.6235190364763914, -1.2139371236142167, 0.7456651860814298,
                                      -0.09465925113699356, -0.3736390294862597, 0.7269593343213392, -0.8568897008106654]
    /// Change of the package network's slope past each knot.
    static let packageHinges: [Float] = [0.09934148352728756, -0.21858729678519406, 0.026590189001206983, -0.5130572570968923, 0.15094467655842095,
                                         0.037892739580936495, -0.25288866960372036, -0.053014575275335256, 0.6192397468858298]
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
