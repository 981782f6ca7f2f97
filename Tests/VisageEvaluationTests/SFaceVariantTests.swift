import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels
import VisageRuntime

/// Flip averaging and the int8 file, on a synthetic crop (no data set needed, only the models).
@Suite(.enabled(if: Fixtures.hasModels, "needs the models from scripts/setup"))
struct SFaceVariantTests {
    /// A left-right asymmetric 112×112 picture, so that it differs from its mirror image.
    static func crop() throws -> Image {
        var pixels = [UInt8](repeating: 0, count: 112 * 112 * 3)
        for y in 0..<112 {
            for x in 0..<112 {
                let i = (y * 112 + x) * 3
                pixels[i] = UInt8((x * 2 + y) % 256); pixels[i + 1] = UInt8((x * y / 40) % 256); pixels[i + 2] = x < 40 ? 200 : 30
            }
        }
        return try Image(width: 112, height: 112, pixels: pixels)
    }

    /// The flip-averaged embedding is the same for a crop and its mirror image (both sum the
    /// same two outputs), unit-length, and differs from the plain one.
    @Test func flipAveragingIsMirrorInvariant() throws {
        let runtime = try OnnxRuntime.shared()
        let plain = try SFaceEmbedder(runtime: runtime)
        let flipped = try SFaceEmbedder(runtime: runtime, averagesMirror: true)
        let crop = try Self.crop(), mirror = crop.applyingOrientation(.upMirrored)
        let both = try flipped.embed([crop, mirror])
        #expect(cosineSimilarity(both[0], both[1]) > 0.9999)
        #expect(abs(cosineSimilarity(both[0], both[0]) - 1) < 1e-4)
        let plainCrop = try plain.embed([crop])[0]
        #expect(cosineSimilarity(plainCrop, both[0]) < 0.9999)
        // The feature map stays the unmirrored crop's, one per crop.
        let maps = try flipped.run([crop], featureMaps: true).featureMaps
        let plainMaps = try plain.run([crop], featureMaps: true).featureMaps
        let a = try #require(maps), b = try #require(plainMaps)
        #expect(a.shape == [1, 1024, 7, 7] && b.shape == a.shape)
        #expect(zip(a.values, b.values).map { abs($0 - $1) }.max()! < 1e-3)
    }

    /// The int8 file (made by scripts/setup) gives embeddings close to float's on a real face
    /// (set-up's sample portrait; on the synthetic pattern above, far from any face, they differ more).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelDirectory.default.url.appendingPathComponent(SFaceEmbedder.contract(for: .int8).fileName).path),
                   "needs sface_2021dec_int8.onnx from scripts/setup"))
    func int8StaysCloseToFloat() throws {
        let runtime = try OnnxRuntime.shared()
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.alignedCrop]
        let portrait = try Image(contentsOf: ModelDirectory.visageHome.appendingPathComponent("samples/Tom_Hanks_54745.png").path)
        let crop = try #require(try FaceAnalyzer(configuration: configuration).analyzeNow(portrait).faces.first?.alignedCrop)
        let float = try SFaceEmbedder(runtime: runtime).embed([crop])[0]
        let int8 = try SFaceEmbedder(runtime: runtime, precision: .int8).embed([crop])[0]
        #expect(cosineSimilarity(float, int8) > 0.93)
    }
}
