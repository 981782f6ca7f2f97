import Foundation
import Testing
import VisageTestSupport

/// `visage verify` and `visage eval verification --folders` on photos with real masks
/// (../shared/data/masked-people); skipped when the data is absent.
struct MaskedVerifyCLITests {
    static let maskedPeople = Fixtures.data("masked-people")

    static func photo(_ person: String, _ kind: String, _ index: Int) throws -> String {
        let folder = try #require(maskedPeople) + "/\(person)/\(kind)"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }.sorted()
        return folder + "/" + names[index]
    }

    /// A masked photo against a bare one: through the attention head, at the one-masked threshold,
    /// and the response says which face wore the mask.
    @Test(.enabled(if: maskedPeople != nil, "needs ../shared/data/masked-people (or $VISAGE_DATA)"))
    func aMaskedPairIsDecidedAtTheMaskedThreshold() throws {
        let run = try CLITests.visage("verify", "--json", try Self.photo("yangmi", "masked", 0), try Self.photo("yangmi", "unmasked", 0))
        #expect(run.status == 0)
        let object = try CLITests.firstObject(run)
        #expect(object["method"] as? String == "attention_head")
        #expect(object["condition"] as? String == "one_masked")
        #expect(object["first_masked"] as? Bool == true && object["second_masked"] as? Bool == false)
        #expect(object["threshold"] as? Double == 0.401)
    }

    @Test(.enabled(if: maskedPeople != nil, "needs ../shared/data/masked-people (or $VISAGE_DATA)"))
    func foldersProtocolWritesItsReport() throws {
        let output = try Fixtures.temporaryDirectory(prefix: "visage-folders")
        let run = try CLITests.visage("eval", "verification", "--folders", try #require(Self.maskedPeople), "--output", output)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try String(contentsOfFile: output + "/report.md", encoding: .utf8)
        #expect(report.contains("masked vs unmasked") && report.contains("unmasked vs unmasked") && report.contains("threshold at FAR 1e-3"))
        #expect(FileManager.default.fileExists(atPath: output + "/scores.csv"))
    }
}
