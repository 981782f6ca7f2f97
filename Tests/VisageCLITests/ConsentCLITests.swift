import Foundation
import Testing

/// `visage gallery consent required` and `visage enroll --consent`, as an operator uses them.
struct ConsentCLITests {
    @Test func enrolmentNeedsAConsentRecordOnceTheRuleIsOn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-consent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gallery = folder.appendingPathComponent("staff.gallery").path

        let rule = try CLITests.visage(["gallery", "consent", "required", "--gallery", gallery])
        #expect(rule.status == 0, "\(rule.stderr)")
        #expect(rule.stdout.contains("consent record required to enrol"))

        let refused = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", CLITests.portrait])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("enrols people only with a record of their consent, and Tom came without one"), "\(refused.stderr)")

        let blank = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", "--consent", " ", CLITests.portrait])
        #expect(blank.status != 0)
        #expect(blank.stderr.contains("--consent needs the record's text"))

        let enrolled = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", "--consent", "form 2026-114", CLITests.portrait, "--json"])
        #expect(enrolled.status == 0, "\(enrolled.stderr)")
        let list = try CLITests.visage(["people", "list", "--gallery", gallery, "--json"])
        #expect(list.stdout.contains("form 2026-114"), "\(list.stdout)")

        let stats = try CLITests.visage(["gallery", "stats", "--gallery", gallery, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        #expect(object?["consent_required"] as? Bool == true)
        #expect(object?["people_without_consent"] as? Int == 0)
    }
}
