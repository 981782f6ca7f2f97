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

/// `visage eval demographics` names an unreadable photo and exits 3, as every evaluation does,
/// after scoring the others.
struct DemographicsCLITests {
    @Test func anUnreadablePhotoIsNamedAndExitsThree() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-demographics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The sample portrait and group photo, named as UTKFace names its photos.
        for (source, name) in [(CLITests.portrait, "60_0_0_20170101000000000.jpg.chip.jpg"), (CLITests.groupPhoto, "30_1_0_20170202000000000.jpg.chip.jpg")] {
            try FileManager.default.copyItem(atPath: source, toPath: folder.appendingPathComponent(name).path)
        }
        let empty = folder.appendingPathComponent("20_0_1_20170303000000000.jpg.chip.jpg").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let run = try CLITests.visage(["eval", "demographics", "--utkface", folder.path, "--output", folder.appendingPathComponent("out").path])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stdout.contains("2 embedded") && run.stdout.contains("Unreadable: `\(empty)`"), "\(run.stdout)")
    }
}
