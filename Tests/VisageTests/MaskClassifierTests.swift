import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels

/// The mask model through the pipeline (`.mask`): real photos, and the synthetic masks.
struct MaskClassifierTests {
    let analyzer: FaceAnalyzer

    init() throws {
        analyzer = try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = [.mask]; return c }())
    }

    @Test func bareFacesAreWithoutMask() async throws {
        let portrait = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png")))
        let mask = try #require(portrait.largest?.mask)
        #expect(mask.label == .withoutMask && mask.score > 0.5)
        let group = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")))
        #expect(group.count == 6)
        #expect(group.allSatisfy { $0.mask?.label == .withoutMask }, "\(group.map { $0.mask.map { "\($0.label) \($0.score)" } ?? "nil" })")
    }

    /// The held-out photos of ../shared/data/masks (training/mask/holdout.txt): the first 25 of
    /// each class that have a face are nearly all right.
    @Test(.enabled(if: Fixtures.hasData, "needs ../shared/data/masks (VISAGE_DATA); skipped"))
    func heldOutPhotos() async throws {
        let root = try #require(Fixtures.dataURL).appendingPathComponent("masks").path
        let list = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("training/mask/holdout.txt"), encoding: .utf8)
            .split(whereSeparator: \.isNewline).map(String.init)
        for label in ["with_mask", "without_mask"] {
            var right = 0, seen = 0
            for path in list where path.hasPrefix(label + "/") && seen < 25 {
                guard let face = try await analyzer.analyze(Image(contentsOf: root + "/" + path)).largest else { continue }
                seen += 1
                if face.mask?.label.rawValue == label { right += 1 }
            }
            #expect(seen == 25 && right >= 24, "\(label): \(right) of \(seen)")
        }
    }
}
