import Foundation
import Testing
@testable import VisageDataset

/// Synthetic embeddings in four dimensions, small enough to check by hand.
struct DatasetCleanerTests {
    static func unit(_ v: [Float]) -> [Float] { Vector.normalised(v) }
    static let e1: [Float] = [1, 0, 0, 0], e2: [Float] = [0, 1, 0, 0], e3: [Float] = [0, 0, 1, 0], e4: [Float] = [0, 0, 0, 1]

    static func samples(_ identity: String, _ vectors: [[Float]]) -> [CleaningSample] {
        vectors.enumerated().map { CleaningSample(path: "\(identity)/\($0.offset).jpg", identity: identity, embedding: unit($0.element)) }
    }

    /// 8 images at e1, one at e2 (similarity 0 to the rest) and one leaning a little towards e1.
    /// With at most one removal per round the e2 image goes in round 1, the leaning one in
    /// round 2, and round 3 flags nothing. Leave-one-out similarities in round 1: e1 images
    /// 7/√(7² + 1 + 0.2²+0.98²…) ≈ 0.98, e2 image 0, the leaning one 0.2·8/|8e1 + e2| ≈ 0.199.
    @Test func iterativeOutliersAreFoundRoundByRound() {
        var config = CleaningConfiguration()
        config.absoluteFloor = 0.25
        config.absoluteCeiling = 0.9
        config.maxRemovalFraction = 0.15  // one image per round for 9–10 images
        let leaning = Self.unit([0.2, 0, 0.98, 0])
        let samples = Self.samples("A", Array(repeating: Self.e1, count: 8) + [Self.e2, leaning])
        let result = DatasetCleaner(configuration: config).clean(samples)
        let outliers = result.suspects.filter { $0.reason == .outlier }
        #expect(outliers.map(\.path) == ["A/8.jpg", "A/9.jpg"])
        #expect(outliers.map(\.iteration) == [1, 2])
        #expect(abs((outliers[0].score ?? 1) - 0) < 1e-5)
        // Round 2: the others are eight e1: 0.2·8/8 = 0.2 after normalising the leaning vector (0.2/|(0.2, 0.98)|).
        #expect(abs((outliers[1].score ?? 0) - 0.2 / (0.2 * 0.2 + 0.98 * 0.98).squareRoot()) < 1e-4)
        #expect(result.iterations.map(\.newOutliers) == [1, 1, 0])
        #expect(result.identities.first?.inliers == 8)
    }

    static let wideConfiguration: CleaningConfiguration = {
        var c = CleaningConfiguration()
        c.absoluteFloor = 0.25
        c.absoluteCeiling = 0.40
        c.turnedFloor = 0.10
        c.turnedCeiling = 0.25
        return c
    }()

    /// The adaptive value is clamped to the floor and ceiling of the image's pose.
    @Test func thresholdIsMedianMinusKMADClampedToFloorAndCeiling() {
        let cleaner = DatasetCleaner(configuration: Self.wideConfiguration)  // floor 0.25, ceiling 0.40; turned heads 0.10, 0.25; k 3
        let tight = [Self.e1, Self.e1, Self.e1, Self.unit([1, 0.3, 0, 0]), Self.e3]
        let (scores, adaptive) = cleaner.outlierScores(tight)
        // Median ≈ 0.99 with a tiny MAD: the adaptive value is above the ceiling, so 0.40 rules.
        #expect(adaptive > 0.9 && cleaner.threshold(adaptive, turned: false) == 0.40)
        #expect(scores[4] == 0 && scores[3] > 0.9)
        #expect(cleaner.threshold(0.1, turned: false) == 0.25 && cleaner.threshold(0.3, turned: false) == 0.3)
        #expect(cleaner.threshold(0.05, turned: true) == 0.10 && cleaner.threshold(0.9, turned: true) == 0.25)
    }

    @Test func duplicateIdentitiesAndImageProblemsAreReported() {
        var samples = Self.samples("A", Array(repeating: Self.e1, count: 5))
        samples += Self.samples("B", Array(repeating: Self.e2, count: 5))
        samples += Self.samples("C", [[0, 0, 1, 0.05], [0, 0, 1, -0.05], [0, 0.05, 1, 0], [0, 0, 1, 0]])
        samples += Self.samples("D", [[0, 0, 0.95, 0.1], [0, 0.1, 0.95, 0]])
        samples.append(CleaningSample(path: "A/noface.jpg", identity: "A", embedding: nil))
        samples.append(CleaningSample(path: "A/broken.jpg", identity: "A", embedding: nil, status: .error, error: "truncated JPEG"))
        samples.append(CleaningSample(path: "B/group.jpg", identity: "B", embedding: Self.e2, faceCount: 3, secondFaceRatio: 0.8))
        let result = DatasetCleaner().clean(samples)
        #expect(result.duplicates.count == 1)
        #expect(result.duplicates.first.map { [$0.a, $0.b] } == ["C", "D"])
        #expect((result.duplicates.first?.similarity ?? 0) > 0.99)
        let reasons = Dictionary(result.suspects.map { ($0.path, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons == ["A/noface.jpg": .noFace, "A/broken.jpg": .unreadable, "B/group.jpg": .severalFaces])
        #expect(result.suspects.allSatisfy { $0.iteration == 0 })
        // D has two images: too few to search for outliers, but it still has a centre.
        #expect(result.identities.first { $0.identity == "D" }?.inliers == 2)
    }

    /// 7 images of one person and 4 of another (orthogonal). Round 1: the four score
    /// 3/|7e1 + 3e3| ≈ 0.39 < ceiling 0.40, the seven ≈ 0.83, so all four are below the
    /// threshold, but at most ⌊11 × 0.34⌋ = 3 go; round 2 takes the last one (score 0).
    @Test func removalsPerRoundAreCappedSoTheMajorityKeepsTheCentre() {
        let samples = Self.samples("M", Array(repeating: Self.e1, count: 7) + Array(repeating: Self.e3, count: 4))
        let result = DatasetCleaner(configuration: Self.wideConfiguration).clean(samples)
        #expect(result.iterations.map(\.newOutliers) == [3, 1, 0])
        let outliers = result.suspects.filter { $0.reason == .outlier }
        #expect(Set(outliers.map(\.path)) == ["M/7.jpg", "M/8.jpg", "M/9.jpg", "M/10.jpg"])
        #expect(abs((outliers.first?.score ?? 0) - 3 / Float(58).squareRoot()) < 1e-4)
        #expect(result.identities.first?.inliers == 7)
    }

    @Test func calibrationSplitsIdentitiesInHalves() {
        let samples = Self.samples("A", Array(repeating: Self.e1, count: 4)) + Self.samples("B", Array(repeating: Self.e2, count: 4))
            + Self.samples("C", [Self.e1, Self.e1, Self.e2, Self.e2])
        let c = CleaningCalibration(samples: samples)
        // Halves alternate in path order: C's halves are {e1, e2} and {e1, e2}: similarity 1.
        #expect(c.duplicateGenuine.values.count == 3 && c.duplicateGenuine.values.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(c.duplicateImpostor.count == 3)
        #expect(abs(c.duplicateImpostor.max - 1 / Float(2).squareRoot()) < 1e-5)
        #expect(c.outlierGenuine.count == 12 && c.outlierImpostor.count == 24)
        #expect(c.duplicateGenuine.fraction(atLeast: 0.9) == 1)
    }

    @Test func scoresCountPlantedFindingsPerRound() {
        var result = CleaningResult()
        result.suspects = [
            Suspect(path: "x/1.jpg", identity: "x", reason: .outlier, score: 0.1, iteration: 1),
            Suspect(path: "x/2.jpg", identity: "x", reason: .outlier, score: 0.2, iteration: 1),
            Suspect(path: "y/3.jpg", identity: "y", reason: .outlier, score: 0.3, iteration: 2),
            Suspect(path: "y/9.jpg", identity: "y", reason: .noFace, score: nil, iteration: 0),
        ]
        result.iterations = [
            .init(iteration: 1, newOutliers: 2, duplicates: [DuplicatePair(a: "split-01", b: "p", similarity: 0.8)]),
            .init(iteration: 2, newOutliers: 1, duplicates: [DuplicatePair(a: "p", b: "split-01", similarity: 0.8), DuplicatePair(a: "q", b: "r", similarity: 0.7)]),
        ]
        let truth = NoisyManifest(source: "/s", seed: 1, wrongFraction: 0.1, images: [],
                                  moved: [.init(path: "x/1.jpg", source: "a/1.jpg", from: "a", to: "x"),
                                          .init(path: "y/3.jpg", source: "b/3.jpg", from: "b", to: "y"),
                                          .init(path: "y/9.jpg", source: "c/9.jpg", from: "c", to: "y"),
                                          .init(path: "z/4.jpg", source: "c/4.jpg", from: "c", to: "z")],
                                  splits: [.init(identity: "p", newIdentity: "split-01", moved: 3), .init(identity: "s", newIdentity: "split-02", moved: 3)])
        let rows = CleaningScore.rows(result, truth: truth)
        #expect(rows.map(\.outliersFlagged) == [2, 3])
        #expect(rows.map(\.outliersCorrect) == [1, 2])
        #expect(rows.map(\.outlierPrecision) == [0.5, 2.0 / 3])
        #expect(rows.map(\.outlierRecall) == [0.25, 0.5])
        #expect(rows.map(\.duplicatePrecision) == [1, 0.5])
        #expect(rows.map(\.duplicateRecall) == [0.5, 0.5])
    }
}
