import Testing
import VisageGallery

struct ThresholdCalibrationTests {
    @Test func acceptsAtMostTheAskedShareOfImpostors() {
        let scores = (0..<1000).map { Float($0) / 1000 }  // 0.000 … 0.999
        let point = ThresholdCalibration.threshold(impostorScores: scores, falseAcceptRate: 1e-2)
        #expect(point.measuredRate == 0.01)
        #expect(point.threshold > 0.989 && point.threshold < 0.9901)
        #expect(point.resolved)
        #expect(ThresholdCalibration.rate(of: scores, atOrAbove: point.threshold) <= 0.01)
    }

    @Test func tooFewImpostorsGiveAnUnresolvedBound() {
        let scores: [Float] = [0.1, 0.2, 0.3, 0.35]
        let point = ThresholdCalibration.threshold(impostorScores: scores, falseAcceptRate: 1e-3)
        #expect(!point.resolved)
        #expect(point.threshold > 0.35 && point.measuredRate == 0)
    }

    @Test func tiesAtTheCutAreRejectedTogether() {
        let scores: [Float] = [0.5, 0.5, 0.5] + [Float](repeating: 0.1, count: 97)
        let point = ThresholdCalibration.threshold(impostorScores: scores, falseAcceptRate: 0.02)
        #expect(point.threshold > 0.5 && point.measuredRate == 0)
    }
}
