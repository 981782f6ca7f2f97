import Foundation
import Testing
import VisageCore
import VisageRuntime
@testable import VisageModels

/// Loads the real model files provisioned by `scripts/setup`.
struct ModelContractTests {
    let runtime: OnnxRuntime
    let models = ModelDirectory.default

    init() throws {
        runtime = try OnnxRuntime.shared(RuntimeConfiguration())
    }

    @Test func everyModelMatchesItsContract() throws {
        _ = try YuNetDetector(directory: models, runtime: runtime)
        _ = try SFaceEmbedder(directory: models, runtime: runtime)
        _ = try AgeEstimator(directory: models, runtime: runtime)
        _ = try GenderClassifier(directory: models, runtime: runtime)
    }

    @Test func aWrongFileIsAMismatchNotAGuess() throws {
        // A folder where the detector's file name holds the age model.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-wrong-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("yunet_2023mar.onnx"),
                                                   withDestinationURL: models.url.appendingPathComponent("age-v1.onnx"))
        #expect {
            try YuNetDetector(directory: ModelDirectory(url: folder), runtime: runtime)
        } throws: { error in
            guard case let ModelError.modelMismatch(name, detail) = error else { return false }
            return name == "YuNet face detector" && detail.contains("'input'")
        }
    }

    @Test func aMissingFileNamesThePathAndTheSetUpCommand() throws {
        let folder = ModelDirectory(url: URL(fileURLWithPath: "/nonexistent/visage-models"))
        #expect {
            try SFaceEmbedder(directory: folder, runtime: runtime)
        } throws: { error in
            let text = (error as? ModelError)?.description ?? ""
            return text.contains("/nonexistent/visage-models/sface_2021dec.onnx") && text.contains("make setup")
        }
    }

    @Test func letterboxScalesDownOnlyAndPadsToThirtyTwo() {
        let big = YuNetDetector.Letterbox(width: 1280, height: 886, maxSide: 640)
        #expect(big.scale == 0.5 && big.scaledWidth == 640 && big.scaledHeight == 443)
        #expect(big.paddedWidth == 640 && big.paddedHeight == 448)
        let small = YuNetDetector.Letterbox(width: 200, height: 200, maxSide: 640)
        #expect(small.scale == 1 && small.paddedWidth == 224 && small.paddedHeight == 224)
    }

    @Test func chipTemplatesKeepTheArcFaceShape() {
        // The age and gender chips are the ArcFace template scaled and shifted: eye distance
        // over eye-to-mouth distance is the same in all three.
        func ratio(_ t: [Point]) -> Float { (t[1].x - t[0].x) / ((t[3].y + t[4].y) / 2 - (t[0].y + t[1].y) / 2) }
        let arc = ratio(FaceAlignment.arcFaceTemplate)
        #expect(abs(ratio(AgeEstimator.chipTemplate) - arc) < 1e-3)
        #expect(abs(ratio(GenderClassifier.chipTemplate) - arc) < 1e-3)
        // dlib's chip puts the eyes about 30% down from the top with padding 0.2.
        let eyeY = AgeEstimator.chipTemplate[0].y / 64
        #expect(eyeY > 0.28 && eyeY < 0.32)
    }
}
