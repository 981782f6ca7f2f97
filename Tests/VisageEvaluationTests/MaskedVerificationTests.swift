import Testing
import Visage
@testable import VisageEvaluation

/// Mask-aware scoring on hand-made embeddings: a mask that adds the same offset to every face.
struct MaskedVerificationTests {
    static func unit(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }

    /// Two people (x and y axes); a mask pushes every embedding along z.
    static let records: MaskedEmbeddings = {
        var r = MaskedEmbeddings()
        let mask: [Float] = [0, 0, 1.2]
        for (name, clean) in [("a1", [1, 0.1, 0] as [Float]), ("a2", [1, -0.1, 0]), ("b1", [0.1, 1, 0]), ("b2", [-0.1, 1, 0])] {
            let bare = unit(clean)
            let masked = unit(zip(bare, mask).map { $0 + $1 })
            r.records[name] = MaskedImageRecord(clean: bare, cleanMaskProbability: 0.01, style: .surgicalBlue, masked: masked,
                                                maskedMaskProbability: 0.99, templates: [masked, masked])
        }
        return r
    }()

    static let pairs = VerificationPairs(name: "toy", source: "", foldsDescription: "", pairs: [
        LabeledPair(first: "a1", second: "a2", same: true, fold: 0), LabeledPair(first: "b1", second: "b2", same: true, fold: 1),
        LabeledPair(first: "a1", second: "b2", same: false, fold: 0), LabeledPair(first: "b1", second: "a2", same: false, fold: 1),
    ])

    @Test func offsetIsTheMeanShiftOfTheTemplates() {
        let offset = MaskedVerification.maskOffset(Self.records)
        // Mostly along the mask's direction (z); x and y only shrink a little from re-normalising.
        #expect(offset.count == 3 && offset[2] > 0.5 && abs(offset[0]) < offset[2] / 2 && abs(offset[1]) < offset[2] / 2)
    }

    @Test(arguments: [MaskMatching.offset, .templates])
    func maskAwareMatchingRaisesGenuineScoresOfOneSideMasked(matching: MaskMatching) {
        let verification = MaskedVerification(pairs: Self.pairs)
        let plain = verification.score(Self.records, condition: .one, matching: .plain)
        let aware = verification.score(Self.records, condition: .one, matching: matching)
        #expect(aware[0].score > plain[0].score + 0.1 && aware[1].score > plain[1].score + 0.1)
        #expect(aware[2].score < aware[0].score && aware[3].score < aware[1].score)
        // Nothing changes when neither or both sides are masked.
        #expect(verification.score(Self.records, condition: .none, matching: matching) == verification.score(Self.records, condition: .none, matching: .plain))
        #expect(verification.score(Self.records, condition: .both, matching: matching) == verification.score(Self.records, condition: .both, matching: .plain))
    }

    @Test func templateMatchingKeepsTheBestTemplate() throws {
        var records = Self.records
        let masked = try #require(records.records["a2"]?.masked)
        // A bare a1 whose first template is useless: the second one, equal to a2's masked face, wins.
        records.records["a1"]?.templates = [[0, 1, 0], masked]
        let scored = MaskedVerification(pairs: Self.pairs).score(records, condition: .one, matching: .templates)
        #expect(abs(scored[0].score - 1) < 1e-5)
    }

    @Test(arguments: MaskMatching.allCases)
    func missingMaskedFaceScoresMinusOne(matching: MaskMatching) {
        var records = Self.records
        records.records["a2"]?.masked = nil
        #expect(MaskedVerification(pairs: Self.pairs).score(records, condition: .one, matching: matching)[0].score == -1)
    }
}
