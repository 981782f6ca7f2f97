import Foundation
import Testing
import VisageTestSupport

/// `visage eval demographics` found children's faces confused with each other far more often,
/// so enrolling a face that looks like a child's says so.
struct ChildEnrolmentCLITests {
    @Test(.enabled(if: Fixtures.dataDirectory != nil, "needs ../shared/data (or $VISAGE_DATA)"))
    func aChildsPhotoIsEnrolledWithAWarningAndAnAdultsWithout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gallery = folder.appendingPathComponent("g.gallery").path
        let baby = try #require(Fixtures.data("utkface/1_0_0_20161219154909149.jpg.chip.jpg"))  // labelled 1 year old

        let child = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Baby", baby, "--json"])
        #expect(child.status == 0, "\(child.stderr)")
        let warning = try CLITests.firstObject(child)["warning"] as? String
        #expect(warning?.contains("looks under 13") == true, "\(child.stdout)")

        let adult = try CLITests.visage(["enroll", "--gallery", gallery, "--name", "Tom", CLITests.portrait, "--json"])
        #expect(adult.status == 0)
        #expect(try CLITests.firstObject(adult)["warning"] == nil)
    }
}
