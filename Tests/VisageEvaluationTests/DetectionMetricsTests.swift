import Testing
import VisageCore
@testable import VisageEvaluation

struct DetectionMetricsTests {
    func box(_ x: Float, _ y: Float, _ w: Float = 10, _ h: Float = 10) -> Rect { Rect(x: x, y: y, width: w, height: h) }

    @Test func averagePrecisionOfAHandWorkedCase() {
        let truth = [
            [GroundTruthBox(box: box(0, 0), label: "with_mask"), GroundTruthBox(box: box(20, 0), label: "without_mask")],
            [GroundTruthBox(box: box(0, 0), label: "with_mask")],
        ]
        let detections = [
            ScoredBox(image: 0, box: box(0, 0), score: 0.9),   // TP: recall 1/3, precision 1
            ScoredBox(image: 0, box: box(1, 0), score: 0.8),   // IoU 0.82 with a taken box: duplicate, FP (1/3, 1/2)
            ScoredBox(image: 1, box: box(0, 0), score: 0.7),   // TP (2/3, 2/3)
            ScoredBox(image: 1, box: box(50, 50), score: 0.6), // FP (2/3, 1/2)
        ]
        let match = DetectionMetrics.match(detections, truth: truth)
        let third = 1.0 / 3, twoThirds = 2.0 / 3
        let expectedRecall: [Double] = [third, third, twoThirds, twoThirds]
        let expectedPrecision: [Double] = [1, 0.5, twoThirds, 0.5]
        #expect(match.curve.map(\.recall) == expectedRecall)
        #expect(match.curve.map(\.precision) == expectedPrecision)
        // Envelope: precision 1 up to recall 1/3, then 2/3 up to 2/3: 1/3 + 2/9 = 5/9.
        #expect(abs(match.averagePrecision - 5.0 / 9) < 1e-12)
        #expect(match.positives == 3 && match.truePositives == 2 && match.falsePositives == 2)
        #expect(match.recallByLabel["with_mask"]! == (2, 2))
        #expect(match.recallByLabel["without_mask"]! == (0, 1))
    }

    @Test func belowTheIoUThresholdIsAFalsePositive() {
        let truth = [[GroundTruthBox(box: box(0, 0), label: "face")]]
        // Shifted by 5: IoU 50/150 = 0.33.
        let match = DetectionMetrics.match([ScoredBox(image: 0, box: box(5, 0), score: 0.9)], truth: truth)
        #expect(match.truePositives == 0 && match.falsePositives == 1 && match.averagePrecision == 0)
    }

    @Test func difficultBoxesNeitherCountNorPenalise() {
        let truth = [[GroundTruthBox(box: box(0, 0), label: "face"), GroundTruthBox(box: box(40, 0), label: "face", difficult: true)]]
        let match = DetectionMetrics.match([ScoredBox(image: 0, box: box(40, 0), score: 0.95), ScoredBox(image: 0, box: box(0, 0), score: 0.9)], truth: truth)
        #expect(match.positives == 1 && match.truePositives == 1 && match.falsePositives == 0)
        #expect(match.averagePrecision == 1)
    }

    @Test func averagePrecisionUsesThePrecisionEnvelope() {
        // Precision rises after a miss: 1, 1/2, 2/3 at recall 1/2, 1/2, 1 → envelope 1 then 2/3.
        let curve = [PrecisionRecallPoint(threshold: 0.9, recall: 0.5, precision: 1),
                     PrecisionRecallPoint(threshold: 0.8, recall: 0.5, precision: 0.5),
                     PrecisionRecallPoint(threshold: 0.7, recall: 1, precision: 2.0 / 3)]
        #expect(abs(DetectionMetrics.averagePrecision(curve) - (0.5 + 0.5 * 2.0 / 3)) < 1e-12)
        #expect(DetectionMetrics.averagePrecision([]) == 0)
    }

    @Test func noDetectionsGiveZero() {
        let match = DetectionMetrics.match([], truth: [[GroundTruthBox(box: box(0, 0), label: "face")]])
        #expect(match.averagePrecision == 0 && match.positives == 1 && match.recallByLabel["face"]! == (0, 1))
    }
}
