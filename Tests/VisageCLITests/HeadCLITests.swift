import Foundation
import Testing
import VisageTestSupport

/// `visage train-head` then `visage analyze --head`, as a user runs them, on real mask photos.
struct HeadCLITests {
    static var masks: String? { Fixtures.data("masks/with_mask") != nil ? Fixtures.data("masks") : nil }

    /// A scratch folder whose labels/<label>/ link 8 masks photos of each label, and one
    /// photo of each label that is not among them.
    static func labelledMasks(_ masks: String) throws -> (folder: String, held: [String]) {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-head-cli")
        var held: [String] = []
        for label in ["with_mask", "without_mask"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/labels/\(label)", withIntermediateDirectories: true)
            let photos = try FileManager.default.contentsOfDirectory(atPath: "\(masks)/\(label)").sorted()
            for photo in photos.prefix(8) {
                try FileManager.default.createSymbolicLink(atPath: "\(folder)/labels/\(label)/\(photo)", withDestinationPath: "\(masks)/\(label)/\(photo)")
            }
            held.append("\(masks)/\(label)/\(photos[100])")
        }
        return (folder, held)
    }

    /// The "mask" head's prediction on the first face of each of the two analysed photos,
    /// each checked to carry one of the two labels.
    static func maskHeads(_ analyze: CLITests.Run) throws -> [[String: Any]] {
        #expect(analyze.lines.count == 2)
        return try analyze.lines.map { line in
            let faces = try #require(try CLITests.object(line)["faces"] as? [[String: Any]])
            let head = try #require((faces.first?["heads"] as? [String: Any])?["mask"] as? [String: Any])
            #expect(["with_mask", "without_mask"].contains(head["label"] as? String ?? ""))
            return head
        }
    }

    @Test(.enabled(if: masks != nil, "needs ../shared/data/masks (or $VISAGE_DATA)"))
    func trainThenAnalyzeWithTheHead() throws {
        let masks = try #require(Self.masks)
        let (folder, held) = try Self.labelledMasks(masks)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let train = try CLITests.visage("train-head", "--folders", folder + "/labels", "--out", folder + "/mask.json", "--threads", "1")
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("cross-validated accuracy") && train.stdout.contains("with_mask: "))
        let analyze = try CLITests.visage("analyze", "--json", "--head", folder + "/mask.json", "--threads", "1", held[0], held[1])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        // Which label each photo gets is measured by `visage eval head` and RealPhotoHeadTests;
        // 8 photos per label reach about 70%, so one photo's label is not pinned here.
        for head in try Self.maskHeads(analyze) {
            let scores = try #require(head["scores"] as? [String: Double])
            #expect(Set(scores.keys) == ["with_mask", "without_mask"] && abs(scores.values.reduce(0, +) - 1) < 0.01)
        }
    }

    @Test func badHeadAndFolderNameTheInput() throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-head-cli")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: folder + "/bad.json"))
        let analyze = try CLITests.visage("analyze", "--head", folder + "/bad.json", CLITests.portrait)
        #expect(analyze.status == 1 && analyze.stderr.contains(folder + "/bad.json"))
        let train = try CLITests.visage("train-head", "--folders", folder + "/none", "--out", folder + "/h.json")
        #expect(train.status == 3 && train.stderr.contains(folder + "/none"))
        #expect(try CLITests.visage("train-head", "--folders", folder, "--out", folder + "/h.json", "--features", "nope").status == 64)
    }

    @Test func utkfaceTrainingNamesBadInput() throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-head-cli")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/holiday.jpg"))
        let unlabelled = try CLITests.visage("train-head", "--utkface", folder, "--attribute", "gender", "--out", folder + "/h.json")
        #expect(unlabelled.status == 3 && unlabelled.stderr.contains(folder) && unlabelled.stderr.contains("AGE_GENDER_RACE_DATE"))
        #expect(try CLITests.visage("train-head", "--utkface", folder, "--out", folder + "/h.json").status == 64)
        #expect(try CLITests.visage("train-head", "--utkface", folder, "--attribute", "hair", "--out", folder + "/h.json").status == 64)
        #expect(try CLITests.visage("train-head", "--utkface", folder, "--folders", folder, "--attribute", "age", "--out", folder + "/h.json").status == 64)
        #expect(try CLITests.visage("eval", "age-gender", "--utkface", folder, "--part", "test").status == 64)
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/20_0_0_1.jpg.chip.jpg"))
        let absentHead = try CLITests.visage("eval", "age-gender", "--utkface", folder, "--head-gender", folder + "/absent.json")
        #expect(absentHead.status == 3 && absentHead.stderr.contains(folder + "/absent.json"))
        #expect(try CLITests.visage("train-head", "--utkface", folder, "--attribute", "age", "--features", "fabnet", "--out", folder + "/h.json").status == 64)
    }

    static let fabNetModel = CLITests.visageHome + "/models/fabnet-encoder.onnx"

    /// A model folder holding every set-up model but the FAb-Net encoder.
    static func modelsWithoutFabNet(in folder: String) throws -> String {
        let models = folder + "/models-without-fabnet"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: CLITests.visageHome + "/models") where file != "fabnet-encoder.onnx" {
            try FileManager.default.createSymbolicLink(atPath: models + "/" + file, withDestinationPath: CLITests.visageHome + "/models/" + file)
        }
        return models
    }

    /// The same flow on FAb-Net features: the head records them, analyze computes them for it,
    /// and without the encoder's file analyze names the file and how to get it.
    @Test(.enabled(if: masks != nil && FileManager.default.fileExists(atPath: fabNetModel), "needs ../shared/data/masks (or $VISAGE_DATA) and fabnet-encoder.onnx in $VISAGE_HOME/models (trained with training/fabnet/; setup does not install it)"))
    func fabNetHeadTrainsAndAnalyzes() throws {
        let masks = try #require(Self.masks)
        let (folder, held) = try Self.labelledMasks(masks)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let train = try CLITests.visage("train-head", "--folders", folder + "/labels", "--features", "fabnet", "--out", folder + "/mask.json", "--threads", "1")
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("on fabnet features (fabnet-encoder.onnx)"))
        let analyze = try CLITests.visage("analyze", "--json", "--head", folder + "/mask.json", "--threads", "1", held[0], held[1])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        _ = try Self.maskHeads(analyze)

        let models = try Self.modelsWithoutFabNet(in: folder)
        let missing = try CLITests.visage("analyze", "--head", folder + "/mask.json", "--models", models, held[0])
        #expect(missing.status == 1 && missing.stderr.contains(models + "/fabnet-encoder.onnx") && missing.stderr.contains("training/fabnet"), "\(missing.stderr)")
        #expect(missing.stdout.isEmpty, "nothing analysed without the head's features")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: CLITests.visageHome + "/models/yunet_2023mar.onnx"), "needs the models from scripts/setup"))
    func trainingOnFabNetFeaturesWithoutTheEncoderNamesTheFile() throws {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-head-cli")
        for label in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/labels/\(label)", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: "\(folder)/labels/\(label)/face.png", withDestinationPath: CLITests.portrait)
        }
        let models = try Self.modelsWithoutFabNet(in: folder)
        let train = try CLITests.visage("train-head", "--folders", folder + "/labels", "--features", "fabnet", "--models", models, "--out", folder + "/h.json")
        #expect(train.status == 1 && train.stderr.contains(models + "/fabnet-encoder.onnx") && train.stderr.contains("training/fabnet"), "\(train.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/h.json"))
    }
}
