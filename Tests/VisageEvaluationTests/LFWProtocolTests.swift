import Foundation
import Testing
import VisageTestSupport
@testable import VisageEvaluation

/// LFW's pairs.txt, on miniatures written here: the tests never need LFW itself.
struct LFWProtocolTests {
    /// Two folds of two genuine + two impostor pairs, tabs and spaces mixed, a CRLF and a blank line.
    static let twoFolds = """
        2\t2
        Abel_Pacheco\t1\t4
        Akhmed_Zakayev 1 3
        Abdel_Madi_Shabneh\t1\tDean_Barker\t1
        Zico\t2\tAbel_Pacheco\t10\r
        Zico\t1\t2

        Dean_Barker\t1\t2
        Abel_Pacheco\t1\tZico\t3
        Akhmed_Zakayev\t2\tDean_Barker\t1

        """

    @Test func foldsFollowTheFileAndGenuineComeFirst() throws {
        let parsed = try LFWProtocol.parse(Self.twoFolds, path: "pairs.txt")
        #expect(parsed.folds == 2 && parsed.perFold == 2 && parsed.entries.count == 8)
        #expect(parsed.entries.map(\.fold) == [0, 0, 0, 0, 1, 1, 1, 1])
        #expect(parsed.entries.map(\.same) == [true, true, false, false, true, true, false, false])
        #expect(parsed.entries[0] == .init(firstName: "Abel_Pacheco", firstNumber: 1, secondName: "Abel_Pacheco", secondNumber: 4, same: true, fold: 0))
        #expect(parsed.entries[3] == .init(firstName: "Zico", firstNumber: 2, secondName: "Abel_Pacheco", secondNumber: 10, same: false, fold: 0))
        #expect(LFWProtocol.imagePath(images: "/lfw", name: "Zico", number: 10) == "/lfw/Zico/Zico_0010.jpg")
    }

    @Test func aOneNumberHeaderIsOneFold() throws {
        let parsed = try LFWProtocol.parse("1\nZico 1 2\nZico 1 Dean_Barker 1\n", path: "pairsDevTest.txt")
        #expect(parsed.folds == 1 && parsed.entries.map(\.same) == [true, false])
    }

    @Test func malformedFilesNameFileAndLine() {
        // An impostor line where a genuine one belongs (line 3: fold 1's second genuine pair).
        let swapped = "1\t2\nZico\t1\t2\nZico\t1\tDean_Barker\t1\nZico\t1\tDean_Barker\t2\nA\t1\tB\t1\n"
        let error = #expect(throws: EvaluationError.self) { try LFWProtocol.parse(swapped, path: "pairs.txt") }
        guard case let .malformed(path, line, reason)? = error else { Issue.record("expected malformed"); return }
        #expect(path == "pairs.txt" && line == 3 && reason.contains("genuine"))
        // Too few lines for the header, a bad header, a photo number that is not one.
        #expect(throws: EvaluationError.self) { try LFWProtocol.parse("10\t300\nZico\t1\t2\n", path: "p") }
        #expect(throws: EvaluationError.self) { try LFWProtocol.parse("ten\nZico\t1\t2\n", path: "p") }
        #expect(throws: EvaluationError.self) { try LFWProtocol.parse("1\nZico\t0\t2\nA\t1\tB\t1\n", path: "p") }
        #expect(throws: EvaluationError.self) { try LFWProtocol.parse("\n\n", path: "p") }
    }

    @Test func pairsResolveUnderTheImagesFolderInTheOfficialFolds() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        try Fixtures.write(Self.twoFolds, to: root + "/pairs.txt")
        let all = try VerificationPairs.lfw(images: root + "/images", pairsFile: root + "/pairs.txt")
        #expect(all.pairs.count == 8 && all.name == "LFW")
        #expect(all.pairs[1].first.hasSuffix("/images/Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg"))
        #expect(all.pairs[1].second.hasSuffix("/images/Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg"))
        #expect(all.uniqueImages.count == 12)
        let second = try VerificationPairs.lfw(images: root + "/images", pairsFile: root + "/pairs.txt", folds: [2])
        #expect(second.pairs.count == 4 && second.pairs.allSatisfy { $0.fold == 1 })
        #expect(throws: EvaluationError.self) { try VerificationPairs.lfw(images: root + "/images", pairsFile: root + "/pairs.txt", folds: [3]) }
        #expect(throws: EvaluationError.self) { try VerificationPairs.lfw(images: root + "/nowhere", pairsFile: root + "/pairs.txt") }
    }

    /// The protocol text shipped with the shared data: View 2, 10 folds of 300 + 300.
    @Test(.enabled(if: Fixtures.data("protocols/lfw_pairs.txt") != nil, "needs ../shared/data/protocols/lfw_pairs.txt (or $VISAGE_DATA)"))
    func theOfficialFileHasTenFoldsOf300And300() throws {
        let path = try #require(Fixtures.data("protocols/lfw_pairs.txt"))
        let parsed = try LFWProtocol.parse(String(contentsOfFile: path, encoding: .utf8), path: path)
        #expect(parsed.folds == 10 && parsed.perFold == 300)
        for fold in 0..<10 {
            let members = parsed.entries.filter { $0.fold == fold }
            #expect(members.count(where: \.same) == 300 && members.count { !$0.same } == 300)
        }
    }
}
