import Testing
import VisageCore
import VisageModels
@testable import VisageEvaluation

/// The CelebA attribute evaluation's decision threshold (chosen on inner out-of-fold scores)
/// and the context crop's template.
struct AttributeThresholdTests {
    @Test func thresholdAtZeroWhenZeroIsAsGoodAsAny() {
        // Separable at 0: every cut between -0.5 and 0.5 is perfect, and 0 is the nearest.
        #expect(AttributeEvaluation.bestThreshold(scores: [-1, -0.5, 0.5, 1], labels: [0, 0, 1, 1]) == 0)
    }

    @Test func thresholdMovesBelowZeroForARarePositiveTheScoresRankWell() {
        // A 95/5-like case: the positives score highest but below 0, so a cut at 0 answers
        // "no" for all (4 of 6 right); the midpoint between -0.6 and -0.3 gets all 6.
        let scores: [Double] = [-0.9, -0.8, -0.7, -0.6, -0.3, -0.2]
        let labels = [0, 0, 0, 0, 1, 1]
        #expect(abs(AttributeEvaluation.bestThreshold(scores: scores, labels: labels) - -0.45) < 1e-12)
    }

    @Test func contextTemplateIsTheArcFaceTemplateHalvedAndLifted() {
        let tight = FaceAlignment.arcFaceTemplate, wide = FeatureMapVectors.contextTemplate
        let eyes = { (t: [Point]) in t[1].x - t[0].x }
        #expect(abs(eyes(wide) - eyes(tight) / 2) < 1e-4)
        // Nose tip: halfway to the centre (56, 56), then 8 pixels up.
        #expect(abs(wide[2].x - (tight[2].x + 56) / 2) < 1e-4)
        #expect(abs(wide[2].y - ((tight[2].y + 56) / 2 - 8)) < 1e-4)
    }
}
