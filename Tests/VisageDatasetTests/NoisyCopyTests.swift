import Foundation
import Testing
import VisageTestSupport
@testable import VisageDataset

struct NoisyCopyTests {
    /// 12 identities × 6 files (bytes only: the noisy copy never decodes).
    static func makeSource() throws -> String {
        let root = try Fixtures.temporaryDirectory()
        for id in 0..<12 { for n in 0..<6 { try Fixtures.write([UInt8(id), UInt8(n)], root, String(format: "%03d/%@/%02d.jpg", id, n < 4 ? "frontal" : "profile", n)) } }
        return root
    }

    @Test func planIsDeterministicAndPlantsWhatItSays() throws {
        let source = try Self.makeSource()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let noisy = NoisyCopy(source: source, wrongFraction: 0.1, splitCount: 2, seed: 1)
        let plan = try noisy.plan()
        #expect(try noisy.plan() == plan)
        #expect(try NoisyCopy(source: source, wrongFraction: 0.1, splitCount: 2, seed: 2).plan() != plan)
        #expect(plan.images.count == 72 && Set(plan.images.map(\.source)).count == 72 && Set(plan.images.map(\.path)).count == 72)
        #expect(plan.moved.count == 7)  // round(0.1 × 72)
        #expect(plan.splits.map(\.newIdentity) == ["split-01", "split-02"] && plan.splits.allSatisfy { $0.moved == 3 })
        let splitOf = Dictionary(plan.splits.map { ($0.identity, $0.newIdentity) }, uniquingKeysWith: { a, _ in a })
        for move in plan.moved {
            let person = String(move.source.prefix(3))
            #expect(move.to != person && move.to != splitOf[person], "\(move) moved into its own person's folder")
            #expect(move.path.hasPrefix(move.to + "/"))
        }
        // Every image not moved sits in its own person's folder (or that person's split folder).
        for entry in plan.images where !plan.moved.contains(where: { $0.path == entry.path }) {
            let folder = String(entry.path.prefix { $0 != "/" })
            #expect(folder == entry.identity || folder == splitOf[entry.identity])
        }
    }

    @Test func writesLinksAndManifestAndRefusesToOverwrite() throws {
        let source = try Self.makeSource(), parent = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: source); try? FileManager.default.removeItem(atPath: parent) }
        let out = parent + "/noisy"
        let plan = try NoisyCopy(source: source, wrongFraction: 0.05, splitCount: 1, seed: 3).plan()
        try plan.write(to: out)
        let listing = try DatasetWalker(root: out).walk()
        #expect(listing.images.count == 72 && listing.identities.count == 13)
        let first = plan.moved[0]
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/" + first.path).hasSuffix("/" + first.source))
        #expect(try NoisyManifest.load(out + "/" + NoisyCopy.manifestName) == plan)
        #expect(throws: DatasetError.outputNotEmpty(path: out)) { try plan.write(to: out) }
        #expect(throws: DatasetError.self) { try plan.write(to: source + "/inside") }
        #expect(throws: DatasetError.malformed(path: parent + "/none.json", reason: "cannot read the noisy-copy manifest (No such file or directory)")) {
            try NoisyManifest.load(parent + "/none.json")
        }
        #expect(throws: DatasetError.malformed(path: parent, reason: "cannot read the noisy-copy manifest (it is a folder, not a file)")) {
            try NoisyManifest.load(parent)
        }
    }
}
