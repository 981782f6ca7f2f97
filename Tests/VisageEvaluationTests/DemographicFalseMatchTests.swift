import Foundation
import Testing
import VisageTestSupport
@testable import VisageEvaluation

/// The arithmetic of `visage eval demographics` on embeddings made to order: which pairs count
/// in which group, which are left out as one person photographed twice, and the rates.
struct DemographicFalseMatchTests {
    /// A unit vector at `angle` radians from the first axis, in the plane of the first two.
    func vector(_ angle: Float) -> [Float] { [cos(angle), sin(angle)] + [Float](repeating: 0, count: 126) }

    @Test func groupsRatesAndTheSameUploadRule() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = [
            "30_0_0_20170101120000000.jpg.chip.jpg",  // a White man …
            "30_0_0_20170101120500000.jpg.chip.jpg",  // … the same labels five minutes later: left out
            "31_1_1_20170101120000000.jpg.chip.jpg",  // a Black woman
            "5_1_1_20170202120000000.jpg.chip.jpg",   // a Black girl
        ]
        // Distinct bytes, but the girl's photo is also filed a second time under other labels.
        for (k, name) in names.enumerated() { #expect(FileManager.default.createFile(atPath: folder + "/" + name, contents: Data([UInt8(k)]))) }
        #expect(FileManager.default.createFile(atPath: folder + "/40_0_2_20180101000000000.jpg.chip.jpg", contents: Data([3])))
        let dataset = try UTKFaceDataset(root: folder)
        var embeddings = ImageEmbeddings()
        // cosines: 30_0_0 pair 0.9 (left out), 31_1_1 vs 5_1_1 and vs its copy 0.5, the rest below 0.303
        let angles: [String: Float] = [names[0]: 0, names[1]: acos(0.9), names[2]: 1.75, names[3]: 1.75 + acos(0.5),
                                       "40_0_2_20180101000000000.jpg.chip.jpg": 1.75 + acos(0.5)]
        for (name, angle) in angles { embeddings.embeddings[folder + "/" + name] = vector(angle) }

        let report = DemographicFalseMatchEvaluation(dataset: dataset).evaluate(embeddings)
        #expect(report.possiblySamePersonPairs == 1 && report.sameFilePairs == 1)
        #expect(report.overall[0].pairs == 8)
        #expect(report.overall[0].falseMatchRateAtVerify == 0.25 && report.overall[0].falseMatchRateAtIdentify == 0.25)
        #expect(report.byRaceAndGender.map(\.group) == ["Black female"])
        #expect(report.byRaceAndGender[0].pairs == 1 && report.byRaceAndGender[0].falseMatchRateAtVerify == 1)
        #expect(report.byRaceAndGender[0].differential == 4)
        #expect(report.byRaceAndGenderAdults.isEmpty, "the girl is 5: no pair of two adults shares a label")
        #expect(report.topPairs.first?.similarity ?? 0 < 0.51, "the left-out pair is not listed")
    }

    @Test func thresholdForAFalseMatchRate() {
        let scores = (0..<1000).map { Float($0) / 1000 }
        let threshold = DemographicFalseMatchEvaluation.threshold(scores, falseMatchRate: 1e-3)
        #expect(threshold.map { t in scores.count { $0 >= t } } == 1)
        #expect(DemographicFalseMatchEvaluation.threshold(Array(scores.prefix(999)), falseMatchRate: 1e-3) == nil)
        #expect(DemographicFalseMatchEvaluation.collectionTime(of: "x/30_0_0_20170101120500000.jpg.chip.jpg")
                == (DemographicFalseMatchEvaluation.collectionTime(of: "30_0_0_20170101120000000.jpg.chip.jpg") ?? 0) + 300)
        #expect(DemographicFalseMatchEvaluation.collectionTime(of: "30_0_20170101.jpg") == nil)
    }
}
