import Foundation
import Testing
import VisageTestSupport
import Visage
@testable import VisageEvaluation

/// `MaskedFolders` (DIR/<person>/{masked,unmasked}) and `visage eval verification --folders`.
struct MaskedFoldersTests {
    /// a: 2 masked, 2 unmasked; b: 1 masked, 3 unmasked; c: 1 unmasked (names only: pairs
    /// do not read the pictures).
    static func folder() throws -> String {
        let root = try Fixtures.temporaryDirectory()
        for (person, masked, unmasked) in [("a", 2, 2), ("b", 1, 3), ("c", 0, 1)] {
            for i in 0..<masked { try Fixtures.write("", to: "\(root)/\(person)/masked/\(i).jpg") }
            for i in 0..<unmasked { try Fixtures.write("", to: "\(root)/\(person)/unmasked/\(i).jpg") }
        }
        try Fixtures.write("", to: "\(root)/a/unmasked/notes.txt")
        return root
    }

    @Test func everyGenuinePairAndAsManyDistinctImpostors() throws {
        let folders = try MaskedFolders(root: try Self.folder())
        #expect(folders.people.map(\.name) == ["a", "b", "c"])
        #expect(folders.images.count == 9)
        let pairs = folders.pairs(seed: 1)
        func count(_ category: MaskedFolders.Category, same: Bool) -> Int { pairs.count { $0.category == category && $0.same == same } }
        #expect(count(.maskedVersusUnmasked, same: true) == 2 * 2 + 1 * 3)
        #expect(count(.maskedVersusUnmasked, same: false) == 7)
        #expect(count(.unmaskedVersusUnmasked, same: true) == 1 + 3)
        #expect(count(.unmaskedVersusUnmasked, same: false) == 4)
        for pair in pairs {
            let people = [pair.first, pair.second].map { URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent }
            #expect((people[0] == people[1]) == pair.same, "\(pair)")
            if pair.category == .maskedVersusUnmasked { #expect(pair.first.contains("/masked/") && pair.second.contains("/unmasked/")) }
        }
        let impostors = pairs.filter { !$0.same }.map { [$0.first, $0.second].sorted() }
        #expect(Set(impostors).count == impostors.count)
        #expect(folders.pairs(seed: 1) == pairs)
    }

    @Test func aFolderOfOnePersonIsRefused() throws {
        let root = try Fixtures.temporaryDirectory()
        try Fixtures.write("", to: "\(root)/solo/masked/0.jpg")
        #expect(throws: EvaluationError.self) { try MaskedFolders(root: root) }
        #expect(throws: EvaluationError.self) { try MaskedFolders(root: root + "/missing") }
    }

    static let maskedPeople = Fixtures.data("masked-people")

    /// Real masks (../shared/data/masked-people): faces are found in the masked photos at the
    /// defaults, and the masked pairs are decided at the masked threshold, not SFace's.
    @Test(.enabled(if: maskedPeople != nil && Fixtures.hasModels, "needs ../shared/data/masked-people and the models"))
    func realMasksAreFoundAndDecidedAtTheMaskedThreshold() async throws {
        let folders = try MaskedFolders(root: try #require(Self.maskedPeople))
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding, .mask, .maskedFaceEmbedding]
        let output = try Fixtures.temporaryDirectory()
        let report = try await MaskedFoldersEvaluation(folders: folders).run(analyzer: try FaceAnalyzer(configuration: configuration), output: output) { _, _, _ in }
        #expect(report.maskedWithoutFace.count * 100 <= report.maskedPhotos, "\(report.maskedWithoutFace)")
        #expect(report.unmaskedWithoutFace.isEmpty)
        let oneMasked = try #require(report.calibration.first { $0.condition == "one_masked" })
        // At the shipped threshold at most about 1e-3 of real-mask impostor pairs are accepted.
        #expect(oneMasked.falseAcceptRateInUse <= 0.002, "\(oneMasked)")
        #expect(FileManager.default.fileExists(atPath: output + "/scores.csv"))
        #expect(report.attentionHead && report.markdown().contains("the attention head when either face is called masked"))
    }

    /// Without research-only models (no attention head) every pair is SFace's at 0.303, and the
    /// report says so instead of describing the head's thresholds.
    @Test(.enabled(if: maskedPeople != nil && Fixtures.hasModels, "needs ../shared/data/masked-people and the models"))
    func withoutTheHeadEveryPairIsSFacesAndTheReportSaysSo() async throws {
        let folders = try MaskedFolders(root: try #require(Self.maskedPeople))
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding, .mask, .maskedFaceEmbedding]
        let output = try Fixtures.temporaryDirectory()
        let analyzer = try FaceAnalyzer(configuration: configuration.withoutResearchOnlyModels().configuration)
        let report = try await MaskedFoldersEvaluation(folders: folders).run(analyzer: analyzer, output: output) { _, _, _ in }
        #expect(!report.attentionHead && report.calibration.isEmpty)
        #expect(report.markdown().contains("`visage verify --no-research-only-models`"))
        let scores = try String(contentsOfFile: output + "/scores.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(!scores.isEmpty && scores.allSatisfy { !$0.contains("attention_head") })
        #expect(scores.contains { $0.contains(",0.303,sface,one_masked") })
    }
}
