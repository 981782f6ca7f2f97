import Foundation
import Testing
import VisageTestSupport
@testable import VisageEvaluation

struct CFPProtocolTests {
    @Test func pairListMapsOneBasedIndicesToPaths() throws {
        let list = try CFPProtocol.parsePairList("1 ../Data/Images/001/frontal/01.jpg\n2 ../Data/Images/001/frontal/02.jpg\n\n", path: "F.txt")
        #expect(list == [1: "../Data/Images/001/frontal/01.jpg", 2: "../Data/Images/001/frontal/02.jpg"])
    }

    @Test func splitFilesHoldIndexPairs() throws {
        let split = try CFPProtocol.parseSplit("4,7\n1,4\r\n3,1\n", path: "same.txt")
        #expect(split.map(\.0) == [4, 1, 3] && split.map(\.1) == [7, 4, 1])
    }

    @Test func malformedLinesNameFileAndLine() {
        let error = #expect(throws: EvaluationError.self) { try CFPProtocol.parseSplit("4,7\n1;4\n", path: "Split/FF/01/same.txt") }
        #expect(error == .malformed(path: "Split/FF/01/same.txt", line: 2, reason: "expected `i,j` with 1-based indices, found \"1;4\""))
        #expect(throws: EvaluationError.self) { try CFPProtocol.parseSplit("0,3\n", path: "s.txt") }
        #expect(throws: EvaluationError.self) { try CFPProtocol.parsePairList("x ../a.jpg\n", path: "F.txt") }
        #expect(throws: EvaluationError.self) { try CFPProtocol.parsePairList("1 a.jpg\n1 b.jpg\n", path: "F.txt") }
        #expect(throws: EvaluationError.self) { try CFPProtocol.parsePairList("\n", path: "F.txt") }
    }

    /// A two-person miniature of the layout: FP pairs index the frontal list, then the profile list.
    @Test func frontalProfilePairsResolveThroughBothLists() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write("1 ../Data/Images/001/frontal/01.jpg\n2 ../Data/Images/002/frontal/01.jpg\n", to: root + "/Protocol/Pair_list_F.txt")
        try Fixtures.write("1 ../Data/Images/001/profile/01.jpg\n2 ../Data/Images/002/profile/01.jpg\n", to: root + "/Protocol/Pair_list_P.txt")
        try Fixtures.write("1,1\n2,2\n", to: root + "/Protocol/Split/FP/01/same.txt")
        try Fixtures.write("1,2\n", to: root + "/Protocol/Split/FP/01/diff.txt")
        let pairs = try VerificationPairs.cfp(root: root, protocol: .frontalProfile, folds: [1])
        #expect(pairs.pairs.count == 3 && pairs.pairs.map(\.same) == [true, true, false])
        #expect(pairs.pairs[2].first.hasSuffix("/Data/Images/001/frontal/01.jpg"))
        #expect(pairs.pairs[2].second.hasSuffix("/Data/Images/002/profile/01.jpg"))
        #expect(!pairs.pairs[0].first.contains(".."))
        #expect(pairs.uniqueImages.count == 4)

        // An index the list lacks names the split file and line.
        try Fixtures.write("1,1\n2,9\n", to: root + "/Protocol/Split/FP/01/same.txt")
        let error = #expect(throws: EvaluationError.self) { try VerificationPairs.cfp(root: root, protocol: .frontalProfile, folds: [1]) }
        guard case let .malformed(path, line, reason)? = error else { Issue.record("expected malformed"); return }
        #expect(path.hasSuffix("Split/FP/01/same.txt") && line == 2 && reason.contains("index 9"))
    }

    @Test func aMissingFolderIsReported() {
        #expect(throws: EvaluationError.self) { try VerificationPairs.cfp(root: "/nonexistent/cfp", protocol: .frontalFrontal) }
    }

    @Test(.enabled(if: Fixtures.data("cfp/Protocol") != nil, "needs ../shared/data/cfp (or $VISAGE_DATA)"))
    func realProtocolsHaveTenFoldsOf350And350() throws {
        let root = try #require(Fixtures.data("cfp"))
        for kind in CFPProtocol.allCases {
            let pairs = try VerificationPairs.cfp(root: root, protocol: kind)
            #expect(pairs.pairs.count == 7000)
            for fold in 0..<10 {
                let members = pairs.pairs.filter { $0.fold == fold }
                #expect(members.count(where: \.same) == 350 && members.count { !$0.same } == 350)
            }
            if kind == .frontalProfile { #expect(pairs.pairs.allSatisfy { $0.first.contains("/frontal/") && $0.second.contains("/profile/") }) }
            #expect(pairs.uniqueImages.prefix(20).allSatisfy { FileManager.default.fileExists(atPath: $0) })
        }
    }
}

struct PairsCSVTests {
    @Test func parsesDecisionsAndMakesStratifiedFolds() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write("file_x,file_y,Decision\na.jpg,b.jpg,Yes\na.jpg,c.jpg,No\nb.jpg,c.jpg,no\n", to: root + "/pairs.csv")
        let pairs = try VerificationPairs.csv(file: root + "/pairs.csv", images: root, folds: 2)
        #expect(pairs.pairs.map(\.same) == [true, false, false])
        #expect(pairs.pairs.map(\.fold) == [0, 0, 1])
        #expect(pairs.pairs[0].first == root + "/a.jpg")
        #expect(pairs.uniqueImages == [root + "/a.jpg", root + "/b.jpg", root + "/c.jpg"])
    }

    @Test func badRowsNameFileAndLine() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write("file_x,file_y,Decision\na.jpg,b.jpg,Maybe\n", to: root + "/bad.csv")
        #expect(throws: EvaluationError.malformed(path: root + "/bad.csv", line: 2, reason: "the decision \"Maybe\" is neither Yes nor No")) {
            try VerificationPairs.csv(file: root + "/bad.csv", images: root)
        }
        try Fixtures.write("file_x,file_y,Decision\na.jpg;b.jpg;Yes\n", to: root + "/semicolons.csv")
        #expect(throws: EvaluationError.self) { try VerificationPairs.csv(file: root + "/semicolons.csv", images: root) }
        try Fixtures.write("file_x,file_y,Decision\n", to: root + "/empty.csv")
        #expect(throws: EvaluationError.empty(path: root + "/empty.csv", what: "pairs")) { try VerificationPairs.csv(file: root + "/empty.csv", images: root) }
        #expect(throws: EvaluationError.self) { try VerificationPairs.csv(file: root + "/absent.csv", images: root) }
    }
}

struct UTKFaceTests {
    @Test func fileNamesCarryAgeGenderAndRace() throws {
        let sample = try #require(UTKFaceSample(path: "/d/26_1_2_20170116174525125.jpg.chip.jpg"))
        #expect(sample.age == 26 && sample.gender == .female && sample.race == .asian && sample.ageBand == "20–29")
        let male = try #require(UTKFaceSample(path: "100_0_0_20170112213303693.jpg.chip.jpg"))
        #expect(male.gender == .male && male.race == .white && male.ageBand == "70+")
    }

    @Test func aNameWithoutRaceIsUnknown() throws {
        let sample = try #require(UTKFaceSample(path: "39_1_20170116174525125.jpg.chip.jpg"))
        #expect(sample.race == .unknown && sample.age == 39)
    }

    @Test func otherNamesAreRejected() {
        #expect(UTKFaceSample(path: "photo.jpg") == nil)
        #expect(UTKFaceSample(path: "26_2_0_20170116.jpg.chip.jpg") == nil)  // gender 2
        #expect(UTKFaceSample(path: "26_1_7_20170116.jpg.chip.jpg") == nil)  // race 7
    }

    @Test func groupsCountFacesAndSignedErrors() throws {
        let a = try #require(UTKFaceSample(path: "20_0_0_1.jpg.chip.jpg")), b = try #require(UTKFaceSample(path: "30_1_1_1.jpg.chip.jpg"))
        let c = try #require(UTKFaceSample(path: "40_1_1_1.jpg.chip.jpg"))
        let outcomes = [
            AgeGenderOutcome(sample: a, predictedAge: 25, predictedFemale: false),  // +5, right
            AgeGenderOutcome(sample: b, predictedAge: 27, predictedFemale: false),  // −3, wrong
            AgeGenderOutcome(sample: c, predictedAge: nil, predictedFemale: nil),   // no face
        ]
        let groups = AgeGenderMetrics.breakdown(outcomes)
        let all = try #require(groups.first)
        #expect(all.photos == 3 && all.withoutFace == 1 && all.ageMeanAbsoluteError == 4 && all.ageMeanSignedError == 1 && all.genderAccuracy == 0.5)
        let black = try #require(groups.first { $0.dimension == "race" && $0.group == "Black" })
        #expect(black.photos == 2 && black.withoutFace == 1 && black.ageMeanAbsoluteError == 3 && black.genderAccuracy == 0)
        #expect(!groups.contains { $0.group == "Asian" })
    }

    @Test(.enabled(if: Fixtures.data("utkface") != nil, "needs ../shared/data/utkface (or $VISAGE_DATA)"))
    func realFolderParsesEveryName() throws {
        let dataset = try UTKFaceDataset(root: try #require(Fixtures.data("utkface")))
        #expect(dataset.samples.count == 3000 && dataset.unlabelled.isEmpty)
    }

    /// The split is a function of the file name only (FNV-1a 64 mod 3; values from an
    /// independent Python implementation of the same hash).
    @Test func splitDependsOnTheFileNameAlone() throws {
        #expect(UTKFacePart(fileName: "26_1_2_20170116174525125.jpg.chip.jpg") == .heldOut)
        #expect(UTKFacePart(fileName: "100_0_0_20170112213303693.jpg.chip.jpg") == .training)
        #expect(UTKFacePart(fileName: "20_0_0_1.jpg.chip.jpg") == .training)
        let a = try #require(UTKFaceSample(path: "/one/26_1_2_20170116174525125.jpg.chip.jpg"))
        let b = try #require(UTKFaceSample(path: "elsewhere/26_1_2_20170116174525125.jpg.chip.jpg"))
        #expect(a.part == .heldOut && b.part == .heldOut)
    }

    @Test func attributeLabelsComeFromTheName() throws {
        let noRace = try #require(UTKFaceSample(path: "39_1_20170116174525125.jpg.chip.jpg"))
        #expect(UTKFaceAttribute.race.label(of: noRace) == nil)
        #expect(UTKFaceAttribute.gender.labelNames[try #require(UTKFaceAttribute.gender.label(of: noRace))] == "female")
        #expect(UTKFaceAttribute.age.labelNames[try #require(UTKFaceAttribute.age.label(of: noRace))] == "35–39")
        let old = try #require(UTKFaceSample(path: "100_0_4_20170112213303693.jpg.chip.jpg"))
        #expect(UTKFaceAttribute.race.labelNames[try #require(UTKFaceAttribute.race.label(of: old))] == "Others")
        #expect(UTKFaceAttribute.age.label(of: old) == UTKFaceAttribute.age.labelNames.count - 1)
        // Every age from 0 to 130 falls in exactly one band.
        let bands = UTKFaceAttribute.ageBands.map(\.ages)
        #expect((0...130).allSatisfy { age in bands.count { $0.contains(age) } == 1 })
        #expect(UTKFaceAttribute.race.labelNames == ["White", "Black", "Asian", "Indian", "Others"])
    }

    @Test func aFolderWithoutLabelledNamesIsAnErrorNamingIt() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write("x", to: root + "/holiday.jpg")
        #expect(throws: EvaluationError.empty(path: root, what: "UTKFace photos (files named AGE_GENDER_RACE_DATE.jpg.chip.jpg)")) {
            try UTKFaceDataset(root: root, part: .training)
        }
        try Fixtures.write("x", to: root + "/20_0_0_1.jpg.chip.jpg")
        let dataset = try UTKFaceDataset(root: root, part: .training)
        #expect(dataset.samples.map(\.age) == [20] && dataset.unlabelled == [root + "/holiday.jpg"])
        #expect(throws: EvaluationError.self) { try UTKFaceDataset(root: root, part: .heldOut) }
    }

    @Test(.enabled(if: Fixtures.data("utkface") != nil, "needs ../shared/data/utkface (or $VISAGE_DATA)"))
    func realFolderSplitsIntoDisjointParts() throws {
        let root = try #require(Fixtures.data("utkface"))
        let training = try UTKFaceDataset(root: root, part: .training).samples.map(\.path)
        let heldOut = try UTKFaceDataset(root: root, part: .heldOut).samples.map(\.path)
        #expect(training.count == 1981 && heldOut.count == 1019)
        #expect(Set(training).isDisjoint(with: heldOut))
        #expect(Set(training + heldOut) == Set(try UTKFaceDataset(root: root).samples.map(\.path)))
        #expect(try UTKFaceDataset(root: root, part: .heldOut).samples.map(\.path) == heldOut)
        // Every group keeps photos on both sides (nothing was stratified by hand).
        for race in UTKFaceSample.Race.allCases where race != .unknown {
            let held = try UTKFaceDataset(root: root, part: .heldOut).samples.count { $0.race == race }
            #expect(held >= 50, "\(race): \(held) held out")
        }
    }
}

struct CelebAAttributesTests {
    @Test func parsesTheListFormat() throws {
        let text = "2\nSmiling Male\n000001.jpg  1 -1\n000002.jpg -1  1\n"
        let attributes = try CelebAAttributes(text: text, path: "list_attr_celeba.txt")
        #expect(attributes.names == ["Smiling", "Male"] && attributes.labels["000002.jpg"] == [false, true])
        #expect(throws: EvaluationError.self) { try CelebAAttributes(text: "2\nSmiling Male\n000001.jpg 1\n", path: "x.txt") }
    }
}

struct RaceHeadFiguresTests {
    @Test func confusionLeavesOutNoFaceAndNoRace() throws {
        let white = try #require(UTKFaceSample(path: "20_0_0_1.jpg.chip.jpg")), black = try #require(UTKFaceSample(path: "30_1_1_1.jpg.chip.jpg"))
        let noRace = try #require(UTKFaceSample(path: "39_1_20170116174525125.jpg.chip.jpg"))
        let outcomes = [white, white, black, black, noRace].map { AgeGenderOutcome(sample: $0, predictedAge: nil, predictedFemale: nil) }
        let figures = RaceHeadFigures(labels: UTKFaceAttribute.race.labelNames, outcomes: outcomes,
                                      predictions: ["White", "Black", "Black", nil, "White"])
        #expect(figures.confusion.total == 3 && figures.withoutFace == 1 && figures.withoutRace == 1)
        #expect(figures.confusion.confusion[0] == [1, 1, 0, 0, 0] && figures.confusion.confusion[1] == [0, 1, 0, 0, 0])
        #expect(abs(figures.accuracy - 2.0 / 3) < 1e-9 && figures.balancedAccuracy == 0.75)
    }
}

struct ClassificationMetricsTests {
    @Test func accuracyRecallAndConfusion() {
        let m = ClassificationMetrics(truth: [0, 1, 1, 2], predicted: [0, 1, 0, 2], classes: 3)
        #expect(m.accuracy == 0.75 && m.recall(of: 1) == 0.5 && m.confusion[1] == [1, 1, 0])
    }
}
