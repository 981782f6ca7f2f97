import Foundation
import Testing

/// `visage enroll`, `identify` and `gallery stats` with real masks (../shared/data/masked-people);
/// skipped when the data is absent.
struct MaskedIdentifyCLITests {
    /// A person enrolled from bare photos is searched for with a masked one: through the
    /// attention head at the masked threshold, and the JSON says so. Enrolling someone from a
    /// masked photo works but warns.
    @Test(.enabled(if: MaskedVerifyCLITests.maskedPeople != nil, "needs ../shared/data/masked-people (or $VISAGE_DATA)"))
    func aMaskedFaceIsIdentifiedThroughTheAttentionHead() throws {
        let gallery = FileManager.default.temporaryDirectory.appendingPathComponent("visage-masked-\(UUID().uuidString).gallery").path
        let bare = try (0..<3).map { try MaskedVerifyCLITests.photo("duhaitao", "unmasked", $0) }
        let enrolled = try CLITests.visage("enroll", "--gallery", gallery, "--json", "--name", "duhaitao", bare[0], bare[1], bare[2])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        #expect(try CLITests.firstObject(enrolled)["warning"] == nil)

        let masked = try CLITests.visage("enroll", "--gallery", gallery, "--json", "--name", "yangmi", try MaskedVerifyCLITests.photo("yangmi", "masked", 0))
        #expect(masked.status == 0, "\(masked.stderr)")
        #expect((try CLITests.firstObject(masked)["warning"] as? String)?.contains("masked face") == true)

        let run = try CLITests.visage("identify", "--gallery", gallery, "--json", try MaskedVerifyCLITests.photo("duhaitao", "masked", 0))
        #expect(run.status == 0, "\(run.stderr)")
        let face = try #require((try CLITests.firstObject(run)["faces"] as? [[String: Any]])?.first)
        #expect(face["method"] as? String == "attention_head")
        #expect(face["threshold"] as? Double == 0.4559)
        #expect(face["masked"] as? Bool == true)
        #expect((face["candidates"] as? [[String: Any]])?.first?["name"] as? String == "duhaitao")

        let stats = try CLITests.firstObject(try CLITests.visage("gallery", "stats", "--gallery", gallery, "--json"))
        #expect(stats["masked_templates"] as? Int == 4 && stats["templates"] as? Int == 4)
    }
}
