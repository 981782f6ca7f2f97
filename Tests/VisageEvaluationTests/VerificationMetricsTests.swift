import Testing
@testable import VisageEvaluation

/// Hand-computed cases. The six pairs: genuine 0.9, 0.8, 0.4; impostor 0.5, 0.3, 0.1.
struct VerificationMetricsTests {
    let pairs = [
        ScoredPair(score: 0.9, same: true), ScoredPair(score: 0.5, same: false), ScoredPair(score: 0.8, same: true),
        ScoredPair(score: 0.3, same: false), ScoredPair(score: 0.4, same: true), ScoredPair(score: 0.1, same: false),
    ]

    @Test func accuracyAcceptsAtOrAboveTheThreshold() {
        #expect(VerificationMetrics.accuracy(pairs, threshold: 0.4) == 5.0 / 6)  // 0.4 accepted; 0.5 impostor wrong
        #expect(VerificationMetrics.accuracy(pairs, threshold: 0.95) == 0.5)
        #expect(VerificationMetrics.accuracy([], threshold: 0) == 0)
    }

    @Test func bestThresholdIsExactAndTakesTheMiddleOfTies() {
        // Accepting from each boundary up: 3, 4, 5 (at 0.35), 4, 5 (at 0.65), 4, 3 correct.
        // Two candidates tie at 5/6; the lower middle of two is the first, 0.35.
        let best = VerificationMetrics.bestThreshold(pairs)
        #expect(abs(best.threshold - 0.35) < 1e-6)
        #expect(best.accuracy == 5.0 / 6)
    }

    @Test func bestThresholdOfSeparablePairsSitsInTheGap() {
        let separable = [ScoredPair(score: 0.2, same: false), ScoredPair(score: 0.6, same: true)]
        let best = VerificationMetrics.bestThreshold(separable)
        #expect(abs(best.threshold - 0.4) < 1e-6)
        #expect(best.accuracy == 1)
    }

    @Test func kFoldChoosesEachThresholdOnTheOtherFolds() {
        // Fold 0: genuine 0.9, impostor 0.1. Fold 1: genuine 0.6, impostor 0.7 (inverted).
        let scored = [ScoredPair(score: 0.9, same: true), ScoredPair(score: 0.1, same: false),
                      ScoredPair(score: 0.6, same: true), ScoredPair(score: 0.7, same: false)]
        let folds = VerificationMetrics.kFold(scored, folds: [0, 0, 1, 1])
        // Trained on fold 1 the candidates 0.6 (accept both) and 0.7⁺ (reject both) tie at 1/2;
        // the first is taken, 0.6, which gets fold 0 right.
        #expect(folds[0].fold == 1 && abs(folds[0].threshold - 0.6) < 1e-6 && folds[0].accuracy == 1)
        // Trained on fold 0 the threshold is 0.5, which accepts fold 1's impostor at 0.7.
        #expect(folds[1].fold == 2 && abs(folds[1].threshold - 0.5) < 1e-6 && folds[1].accuracy == 0.5)
        let (mean, std) = VerificationMetrics.meanAndStandardDeviation(folds.map(\.accuracy))
        #expect(mean == 0.75 && std == 0.25)
    }

    @Test func rocHasOnePointPerDistinctScoreFromNothingToEverything() {
        let roc = VerificationMetrics.roc(pairs)
        let expected: [(Double, Double)] = [(0, 0), (0, 1.0 / 3), (0, 2.0 / 3), (1.0 / 3, 2.0 / 3), (1.0 / 3, 1), (2.0 / 3, 1), (1, 1)]
        #expect(roc.count == expected.count)
        for (point, (far, tar)) in zip(roc, expected) {
            #expect(abs(point.falseAcceptRate - far) < 1e-12 && abs(point.trueAcceptRate - tar) < 1e-12)
        }
        #expect(roc[0].threshold > 0.9 && roc[3].threshold == 0.5)
        // P(genuine > impostor) = 8 of 9 genuine–impostor orderings.
        #expect(abs(VerificationMetrics.areaUnderCurve(roc) - 8.0 / 9) < 1e-12)
    }

    @Test func rocGroupsTiedScoresIntoOnePoint() {
        let tied = [ScoredPair(score: 0.5, same: true), ScoredPair(score: 0.5, same: false)]
        let roc = VerificationMetrics.roc(tied)
        #expect(roc.count == 2 && roc[1].falseAcceptRate == 1 && roc[1].trueAcceptRate == 1)
    }

    @Test func trueAcceptRateAtFalseAcceptRate() {
        // 3 impostors: FAR 0.34 allows one false accept, so the threshold sits just above 0.3.
        let loose = VerificationMetrics.trueAcceptRate(pairs, atFalseAcceptRate: 0.34)
        #expect(loose.threshold == Float(0.3).nextUp && loose.trueAcceptRate == 1 && loose.falseAcceptRate == 1.0 / 3)
        #expect(loose.isResolved)
        // FAR 0.1 allows none: just above the highest impostor, 0.5.
        let strict = VerificationMetrics.trueAcceptRate(pairs, atFalseAcceptRate: 0.1)
        #expect(strict.threshold == Float(0.5).nextUp && strict.trueAcceptRate == 2.0 / 3 && strict.falseAcceptRate == 0)
        #expect(!strict.isResolved)  // 3 impostors cannot resolve 1e-1
        // FAR 1 accepts everything.
        let all = VerificationMetrics.trueAcceptRate(pairs, atFalseAcceptRate: 1)
        #expect(all.threshold == 0.1 && all.trueAcceptRate == 1 && all.falseAcceptRate == 1)
    }

    @Test func trueAcceptRateRejectsImpostorsTiedAtTheCut() {
        let tied = [ScoredPair(score: 0.5, same: false), ScoredPair(score: 0.5, same: false), ScoredPair(score: 0.6, same: true)]
        let point = VerificationMetrics.trueAcceptRate(tied, atFalseAcceptRate: 0.5)
        #expect(point.falseAcceptRate == 0 && point.trueAcceptRate == 1)
    }

    @Test func equalErrorRateInterpolatesTheCrossing() {
        // FRR falls 1, 2/3, 1/3, 1/3 while FAR is 0, 0, 0, 1/3: they meet at 1/3, threshold 0.5.
        let eer = VerificationMetrics.equalErrorRate(pairs)
        #expect(abs(eer.rate - 1.0 / 3) < 1e-12)
        #expect(abs(eer.threshold - 0.5) < 1e-6)
        let separable = [ScoredPair(score: 0.2, same: false), ScoredPair(score: 0.6, same: true)]
        #expect(VerificationMetrics.equalErrorRate(separable).rate == 0)
    }

    @Test func stratifiedFoldsDealGenuineAndImpostorPairsSeparately() {
        #expect(VerificationMetrics.stratifiedFolds([true, false, true, false, false, true], count: 2) == [0, 0, 1, 1, 0, 0])
    }
}
