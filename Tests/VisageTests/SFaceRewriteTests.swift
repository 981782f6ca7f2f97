import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels
import VisageRuntime

/// Set-up rewrites SFace's PRelu nodes so that ONNX Runtime keeps the network in its blocked
/// layout (about 1.8× faster). The rewrite must not change what the network computes: on the
/// real faces of the group photo, Visage's file and the plainly folded reference file give the
/// same embeddings and the same `bn1` feature maps.
struct SFaceRewriteTests {
    @Test func theRewrittenGraphEmbedsRealFacesAsTheReferenceFoldDoes() async throws {
        let models = ModelDirectory.default.url
        let referenceFile = models.appendingPathComponent("sface_2021dec_reference.onnx")
        guard FileManager.default.fileExists(atPath: referenceFile.path) else {
            Issue.record("\(referenceFile.path) is missing: run `make setup` (scripts/setup) first")
            return
        }
        // The reference fold under the file name the contract loads, in a folder of its own.
        let folder = try Fixtures.temporaryURL()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(SFaceEmbedder.contract.fileName),
                                                   withDestinationURL: referenceFile)

        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.alignedCrop]
        let analyzer = try FaceAnalyzer(configuration: configuration)
        let faces = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")))
        let crops = faces.compactMap(\.alignedCrop)
        #expect(crops.count == 6)

        let runtime = try OnnxRuntime.shared(RuntimeConfiguration())
        let visage = try SFaceEmbedder(runtime: runtime).run(crops, featureMaps: true)
        let reference = try SFaceEmbedder(directory: ModelDirectory(url: folder), runtime: runtime).run(crops, featureMaps: true)
        for (ours, theirs) in zip(visage.embeddings, reference.embeddings) {
            #expect(cosineSimilarity(ours, theirs) > 0.99999)
        }
        // Different people stay different: the check above is not passed by a constant output.
        #expect(cosineSimilarity(visage.embeddings[0], visage.embeddings[1]) < 0.5)
        let ourMaps = try #require(visage.featureMaps), theirMaps = try #require(reference.featureMaps)
        let largest = zip(ourMaps.values, theirMaps.values).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest < 1e-4, "bn1 maps differ by up to \(largest)")
    }
}
