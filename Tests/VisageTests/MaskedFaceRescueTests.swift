import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore
import VisageModels

/// `Configuration.maskedFaceRescue`: weak boxes kept when the mask classifier is sure they wear
/// a mask; real photos only.
struct MaskedFaceRescueTests {
    static let analyzers = Result { () throws -> (detectorOnly: FaceAnalyzer, defaults: FaceAnalyzer) in
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.mask]
        let defaults = try FaceAnalyzer(configuration: configuration)
        configuration.maskedFaceRescue = nil
        return (try FaceAnalyzer(configuration: configuration), defaults)
    }

    @Test func theRuleKeepsOnlyConfidentMasksAboveTheFloor() {
        let rescue = FaceAnalyzer.MaskedFaceRescue()
        #expect(rescue.accepts(score: rescue.scoreThreshold, mask: MaskEstimate(label: .withMask, score: 0.999)))
        #expect(!rescue.accepts(score: rescue.scoreThreshold - 0.01, mask: MaskEstimate(label: .withMask, score: 0.999)))
        #expect(!rescue.accepts(score: 0.6, mask: MaskEstimate(label: .withoutMask, score: 0.9)))
        #expect(!rescue.accepts(score: 0.6, mask: MaskEstimate(label: .withMask, score: rescue.minimumMaskProbability - 0.01)))
    }

    /// The bundled group photo: six bare faces, the same with the rescue as without.
    @Test func theGroupPhotoKeepsItsSixFaces() async throws {
        let (detectorOnly, defaults) = try Self.analyzers.get()
        let image = try Image(contentsOf: try Fixtures.sample("t1.jpg"))
        let plain = try await detectorOnly.analyze(image), rescued = try await defaults.analyze(image)
        #expect(rescued.count == 6)
        #expect(rescued.map(\.box) == plain.map(\.box))
    }

    /// The set-up's mask samples (from the insightface wheel) are pictures of masks alone, no
    /// face: the classifier would call any box on them masked, so the rescue must find none.
    @Test func picturesOfMasksAloneGiveNoFace() async throws {
        let (_, defaults) = try Self.analyzers.get()
        for name in ["mask_black.jpg", "mask_blue.jpg", "mask_green.jpg", "mask_white.jpg"] {
            #expect(try await defaults.analyze(Image(contentsOf: try Fixtures.sample(name))).isEmpty, "\(name)")
        }
    }

    static let data = Fixtures.dataURL

    /// A models folder of links to the set-up's files plus YuNet's own file as the masked-face
    /// student (`yunet-masked.onnx`): the union cascade then runs end to end, and since every
    /// box YuNet proposes was already kept or turned down by the same gates, it adds nothing.
    static func foldersWithYuNetAsStudent() throws -> (without: FaceAnalyzer.Configuration, with: FaceAnalyzer.Configuration) {
        let folder = try Fixtures.temporaryDirectory(prefix: "visage-union") + "/models"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Fixtures.modelDirectory) where file.hasSuffix(".onnx") && file != YuNetDetector.maskedFileName {
            try FileManager.default.createSymbolicLink(atPath: folder + "/" + file, withDestinationPath: Fixtures.modelDirectory + "/" + file)
        }
        var without = FaceAnalyzer.Configuration()
        without.tasks = [.mask]
        without.models = ModelDirectory(url: URL(fileURLWithPath: folder, isDirectory: true))
        var with = without
        try FileManager.default.createSymbolicLink(atPath: folder + "/" + YuNetDetector.maskedFileName,
                                                   withDestinationPath: Fixtures.modelDirectory + "/" + YuNetDetector.contract.fileName)
        without.maskedFaceRescue?.proposalScoreThreshold = nil
        with.maskedFaceRescue?.proposalScoreThreshold = 0.3
        return (without, with)
    }

    /// The student's proposals only add faces: with YuNet itself as the student (at the rescue's
    /// own floor) the faces are exactly those of YuNet + rescue, and the student's file was opened.
    @Test func theStudentsProposalsOnlyAdd() async throws {
        let (withoutConfiguration, withConfiguration) = try Self.foldersWithYuNetAsStudent()
        let without = try FaceAnalyzer(configuration: withoutConfiguration), with = try FaceAnalyzer(configuration: withConfiguration)
        var photos = try ["t1.jpg", "Tom_Hanks_54745.png", "mask_blue.jpg"].map { try Fixtures.sample($0) }
        if let people = Fixtures.data("masked-people") {
            for person in try FileManager.default.contentsOfDirectory(atPath: people).sorted().prefix(3) {
                let folder = people + "/" + person + "/masked"
                photos += try FileManager.default.contentsOfDirectory(atPath: folder).sorted().prefix(3).map { folder + "/" + $0 }
            }
        }
        for path in photos {
            let image = try Image(contentsOf: path)
            let plain = try await without.analyze(image), union = try await with.analyze(image)
            #expect(union.map(\.box) == plain.map(\.box), "\(path)")
        }
        #expect(with.openedModelFiles.contains(YuNetDetector.maskedFileName))
        #expect(!without.openedModelFiles.contains(YuNetDetector.maskedFileName))
    }

    /// Real masked photos (../shared/data/masks/with_mask and masked-people): the detector alone
    /// finds no face in some; at the defaults every one of a sample has one.
    @Test(.enabled(if: data != nil, "needs ../shared/data (or $VISAGE_DATA)"))
    func realMaskedPhotosGetAFaceAtTheDefaults() async throws {
        let (detectorOnly, defaults) = try Self.analyzers.get()
        let root = try #require(Self.data)
        var photos: [String] = []
        let withMask = root.appendingPathComponent("masks/with_mask").path
        if let names = try? FileManager.default.contentsOfDirectory(atPath: withMask) {
            photos += names.sorted().prefix(150).map { withMask + "/" + $0 }
        }
        let people = root.appendingPathComponent("masked-people").path
        for person in ((try? FileManager.default.contentsOfDirectory(atPath: people)) ?? []).sorted() {
            let folder = people + "/" + person + "/masked"
            photos += ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().prefix(6).map { folder + "/" + $0 }
        }
        try #require(!photos.isEmpty, "no masked photos under \(root.path)")
        var missedAlone = 0, missedAtDefaults: [String] = []
        for path in photos {
            guard let image = try? Image(contentsOf: path) else { continue }
            if try await detectorOnly.analyze(image).isEmpty { missedAlone += 1 }
            if try await defaults.analyze(image).isEmpty { missedAtDefaults.append(path) }
        }
        print("rescue: no face in \(missedAlone) of \(photos.count) masked photos with the detector alone, \(missedAtDefaults.count) at the defaults")
        #expect(missedAlone > 0)
        #expect(missedAtDefaults.count * 100 <= photos.count, "\(missedAtDefaults)")
    }

    /// Bare faces (masks/without_mask, UTKFace crops): the rescue adds no face.
    @Test(.enabled(if: data != nil, "needs ../shared/data (or $VISAGE_DATA)"))
    func bareFacesGainNoFace() async throws {
        let (detectorOnly, defaults) = try Self.analyzers.get()
        let root = try #require(Self.data)
        var photos: [String] = []
        for folder in ["masks/without_mask", "utkface"] {
            let path = root.appendingPathComponent(folder).path
            photos += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().prefix(100).map { path + "/" + $0 }
        }
        try #require(!photos.isEmpty)
        var extra: [String] = []
        for path in photos {
            guard let image = try? Image(contentsOf: path) else { continue }
            if try await defaults.analyze(image).count != (try await detectorOnly.analyze(image)).count { extra.append(path) }
        }
        #expect(extra.isEmpty, "\(extra)")
    }
}
