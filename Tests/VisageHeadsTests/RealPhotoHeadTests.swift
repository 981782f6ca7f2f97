import Foundation
import Testing
import VisageTestSupport
import Visage
@testable import VisageHeads

/// A head trained on a few real photos: mask vs no mask from ../shared/data/masks.
@Suite(.enabled(if: Fixtures.data("masks") != nil && Fixtures.hasModels, "needs ../shared/data/masks (or $VISAGE_DATA) and the models from scripts/setup"))
struct RealPhotoHeadTests {
    /// 10 photos per class to train, 30 others per class to test. SFace is an identity
    /// embedding and carries little of a mask: `visage eval head` measures 69.7 ± 2.4% on all
    /// the other photos at 10 per class (73.1% at 20). The floor below is well above chance
    /// (50%), which a label mix-up or a broken optimiser would fall to.
    @Test func maskHeadFromTenPhotosPerClass() async throws {
        let root = try #require(Fixtures.data("masks"))
        let all = try LabelledPhotos(folder: root)
        #expect(all.labelNames == ["with_mask", "without_mask"])
        var trainPaths: [String] = [], trainLabels: [Int] = [], testPaths: [String] = [], testLabels: [Int] = []
        for label in 0..<2 {
            let paths = zip(all.paths, all.labels).filter { $0.1 == label }.map(\.0)
            // Every 25th photo, so the sample spreads over the folder rather than its first names.
            let picked = stride(from: 0, to: paths.count, by: 25).map { paths[$0] }
            trainPaths += picked.prefix(10); trainLabels += Array(repeating: label, count: 10)
            testPaths += picked.dropFirst(10).prefix(30); testLabels += Array(repeating: label, count: 30)
        }
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.embedding]
        let analyzer = try FaceAnalyzer(configuration: configuration)
        let head = try await HeadTrainer().train(
            name: "mask", photos: LabelledPhotos(labelNames: all.labelNames, paths: trainPaths, labels: trainLabels), analyzer: analyzer)
        #expect(head.training.examples.reduce(0, +) + head.training.skipped.count == 20)
        #expect(head.training.examples.allSatisfy { $0 >= 7 }, "faces found in most training photos: \(head.training.examples)")

        var correct = 0, tested = 0
        for await item in analyzer.analyzeFiles(testPaths) {
            guard case var .success(analyzed) = item.result, !analyzed.faces.isEmpty else { continue }
            head.apply(to: &analyzed.faces)
            let prediction = try #require(analyzed.faces.largest?.heads.first)
            tested += 1
            if prediction.label == all.labelNames[testLabels[item.index]] { correct += 1 }
        }
        #expect(tested >= 45)
        #expect(Double(correct) / Double(tested) >= 0.6, "\(correct)/\(tested) correct")
    }
}

/// A head on FAb-Net features, trained and applied through the analyzer on real mask photos.
@Suite(.enabled(if: Fixtures.data("masks") != nil && Fixtures.hasModels && Fixtures.hasModel("fabnet-encoder.onnx"),
                "needs ../shared/data/masks (or $VISAGE_DATA), the models from scripts/setup and fabnet-encoder.onnx (trained with training/fabnet/; setup does not install it)"))
struct FabNetHeadTests {
    @Test func fabNetHeadPredictsOnRealPhotos() async throws {
        let root = try #require(Fixtures.data("masks"))
        let all = try LabelledPhotos(folder: root)
        var trainPaths: [String] = [], trainLabels: [Int] = [], testPaths: [String] = []
        for label in 0..<2 {
            let paths = zip(all.paths, all.labels).filter { $0.1 == label }.map(\.0)
            let picked = stride(from: 0, to: paths.count, by: 25).map { paths[$0] }
            trainPaths += picked.prefix(10); trainLabels += Array(repeating: label, count: 10)
            testPaths += picked.dropFirst(10).prefix(5)
        }
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = FaceFeatures.fabnet.tasks
        let analyzer = try FaceAnalyzer(configuration: configuration)
        let head = try await HeadTrainer(features: .fabnet).train(
            name: "mask", photos: LabelledPhotos(labelNames: all.labelNames, paths: trainPaths, labels: trainLabels), analyzer: analyzer)
        #expect(head.features == FaceHead.FeatureSource(.fabnet))
        #expect(head.training.examples.allSatisfy { $0 >= 7 }, "faces found in most training photos: \(head.training.examples)")

        var predicted = 0
        for await item in analyzer.analyzeFiles(testPaths) {
            guard case var .success(analyzed) = item.result, let face = analyzed.faces.largest else { continue }
            #expect(face.attributeEmbedding?.count == 256 && face.embedding == nil, "the analyzer computed only what the head reads")
            head.apply(to: &analyzed.faces)
            let prediction = try #require(analyzed.faces.largest?.heads.first)
            #expect(prediction.head == "mask" && all.labelNames.contains(prediction.label))
            #expect(abs(prediction.scores.map(\.probability).reduce(0, +) - 1) < 1e-4)
            predicted += 1
        }
        #expect(predicted >= 8, "a prediction for most of the 10 held-out photos")
    }
}
