import Foundation
import Testing
import VisageCore
import VisageRuntime
@testable import VisageModels

/// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent.
private let dataDirectory: URL? = {
    let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = env.map { URL(fileURLWithPath: $0) } ?? repo.deletingLastPathComponent().appendingPathComponent("shared/data")
    return FileManager.default.fileExists(atPath: url.appendingPathComponent("fer2013/publictest").path) ? url : nil
}()

struct ExpressionClassifierTests {
    let runtime: OnnxRuntime
    let classifier: ExpressionClassifier

    init() throws {
        runtime = try OnnxRuntime.shared(RuntimeConfiguration())
        classifier = try ExpressionClassifier(runtime: runtime)
    }

    private var home: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    @Test func contractMatchesTheBundledModel() throws {
        // init already checked names, element types and shapes; an empty batch must not run.
        #expect(try classifier.classify([]).isEmpty)
        #expect(ExpressionClassifier.contract.input.shape == [nil, 1, 48, 48])
        #expect(ExpressionLabel.allCases.map(\.rawValue) == ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"])
    }

    /// The first 20 PublicTest images (by name) of each class, fed as they are: FER2013 images
    /// are already the 48×48 crops the model was trained on. Python's onnxruntime gets 93 of
    /// these 140 right (66.4%; the whole PublicTest split: 69.2%, mean per-class recall 65.4%).
    /// The floor, 55%, sits about 2.5 standard deviations (4 points at n = 140) under the
    /// balanced recall and far above chance (14%) or always answering "happy" (14% here).
    @Test(.enabled(if: dataDirectory != nil, "../shared/data/fer2013 is absent (set VISAGE_DATA)"))
    func fer2013PublicTestSampleIsAboveTheFloor() throws {
        let root = try #require(dataDirectory).appendingPathComponent("fer2013/publictest")
        var chips: [Image] = [], truth: [ExpressionLabel] = []
        for label in ExpressionLabel.allCases {
            let folder = root.appendingPathComponent(label.rawValue)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }.sorted()
            for name in names.prefix(20) {
                chips.append(try Image(contentsOf: folder.appendingPathComponent(name).path))
                truth.append(label)
            }
        }
        #expect(chips.count == 140)
        let estimates = try classifier.classify(chips)
        let correct = zip(estimates, truth).filter { $0.label == $1 }.count
        #expect(Double(correct) / Double(chips.count) >= 0.55, "\(correct) of \(chips.count) right")
        // Same decoder family and runtime as the Python reference: within a couple of images.
        #expect(abs(correct - 93) <= 3, "Python's onnxruntime gets 93 of 140; Swift got \(correct)")

        // angry/PublicTest_10116449.jpg, probabilities from Python's onnxruntime 1.32.
        let reference: [Float] = [0.1788, 0.0440, 0.3827, 0.0049, 0.1413, 0.2220, 0.0263]
        for (a, b) in zip(estimates[0].scores, reference) { #expect(abs(a - b) < 0.01) }
        for e in estimates {
            #expect(abs(e.scores.reduce(0, +) - 1) < 1e-3)
            #expect(e.score == e.scores.max())
        }
    }

    @Test func everyFaceOfTheGroupPhotoGetsAnExpression() throws {
        let image = try Image(contentsOf: home.appendingPathComponent("samples/t1.jpg").path)
        let faces = try YuNetDetector(runtime: runtime).detect(in: image)
        #expect(faces.count == 6)
        let chips = try faces.map { try #require(ExpressionClassifier.chip(of: image, landmarks: $0.landmarks)) }
        #expect(chips.allSatisfy { $0.width == 48 && $0.height == 48 })
        let estimates = try classifier.classify(chips)
        #expect(estimates.count == 6)
        for e in estimates {
            #expect(e.scores.count == 7 && abs(e.scores.reduce(0, +) - 1) < 1e-3)
            #expect(e.score >= 1.0 / 7)
        }
        // The three people laughing or smiling broadly (the two seated men in the middle and
        // the woman on the right, boxes starting at x ≈ 462, 750 and 1132) read as happy; the
        // other three (a pout, a man talking, a faint smile) came out angry 0.39 and neutral.
        let broadSmiles = zip(faces, estimates).filter { pair in [Float(462), 750, 1132].contains { abs(pair.0.box.x - $0) < 40 } }
        #expect(broadSmiles.count == 3)
        #expect(broadSmiles.allSatisfy { $0.1.label == .happy })
    }

    @Test func chipPutsTheLandmarksOnTheTemplate() throws {
        // A synthetic face-free image is enough to check the geometry: landmarks at twice the
        // template plus an offset must come back as a 48×48 chip, via the supersampled path.
        let image = Image(width: 300, height: 300, color: .white)
        let landmarks = ExpressionClassifier.chipTemplate.map { Point(x: $0.x * 4 + 50, y: $0.y * 4 + 30) }
        let chip = try #require(ExpressionClassifier.chip(of: image, landmarks: landmarks))
        #expect(chip.width == 48 && chip.height == 48)
        // The template lies well inside the white square, so the whole chip is white.
        #expect(chip.pixels.allSatisfy { $0 == 255 })
        let transform = try #require(AffineTransform.similarity(from: landmarks, to: ExpressionClassifier.chipTemplate))
        for (p, q) in zip(landmarks.map(transform.apply), ExpressionClassifier.chipTemplate) { #expect(hypot(p.x - q.x, p.y - q.y) < 1e-3) }
    }

    @Test func boxDownsamplingAveragesBlocks() throws {
        // 4×2 image: left 2×2 block black/white checker (mean 127.5 → 128), right block all 100.
        let px: [UInt8] = [0, 255, 100, 100, 255, 0, 100, 100].flatMap { [$0, $0, $0] }
        let image = try Image(width: 4, height: 2, pixels: px)
        let small = image.boxDownsampled(by: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [128, 128, 128, 100, 100, 100])
    }
}
