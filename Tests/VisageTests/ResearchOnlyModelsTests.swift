import Foundation
import Testing
import VisageTestSupport
@testable import Visage
import VisageCore
import VisageModels

/// An analyzer that may not open research-only models (`--no-research-only-models`): what it
/// computes instead, what it leaves out, and that no call can make it open one.
struct ResearchOnlyModelsTests {
    static var restricted: FaceAnalyzer.Configuration {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = FaceAnalyzer.Tasks.all.union(.maskedFaceEmbedding)
        return configuration.withoutResearchOnlyModels().configuration
    }

    @Test func theRestrictionMovesAgeAndGenderAndDropsWhatHasNoOtherModel() {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = FaceAnalyzer.Tasks.all.union(.maskedFaceEmbedding)
        let (restricted, dropped) = configuration.withoutResearchOnlyModels()
        #expect(dropped == [.expression, .maskedFaceEmbedding])
        #expect(restricted.tasks == [.embedding, .age, .gender, .mask, .alignedCrop])
        #expect(restricted.ageModel == .separateNetwork && restricted.genderModel == .separateNetwork)
        #expect(!restricted.allowedModelUses.contains(.researchOnly))
        // Stacked age needs the research-only head: refused even when asked for by a call.
        var stacked = restricted
        stacked.ageModel = .stacked
        #expect(stacked.permitted([.age, .gender]) == [.gender])
        // Unrestricted, nothing is dropped.
        #expect(configuration.permitted(configuration.tasks) == configuration.tasks)
    }

    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func noCallOpensAResearchOnlyModel() async throws {
        let analyzer = try FaceAnalyzer(configuration: Self.restricted)
        // A call naming every task, the research-only ones included.
        let everything = FaceAnalyzer.Tasks.all.union([.maskedFaceEmbedding, .attributeEmbedding])
        let faces = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")), tasks: everything)
        #expect(faces.count == 6)
        for face in faces {
            #expect(face.age != nil && face.gender != nil && face.embedding != nil && face.mask != nil)
            #expect(face.expression == nil && face.maskedFaceEmbedding == nil && face.attributeEmbedding == nil)
        }
        let opened = analyzer.openedModelFiles
        #expect(opened.contains(AgeEstimator.card.fileName) && opened.contains(GenderClassifier.card.fileName), "\(opened)")
        for file in opened {
            #expect(ModelCard.named(file)?.use != .researchOnly, "\(file) was opened")
        }
    }

    /// The detector is no task: an analyzer that refuses its use fails the photo, naming the file.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func aRefusedDetectorFailsSayingWhy() throws {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = [.age]
        configuration.ageModel = .separateNetwork
        configuration.allowedModelUses = [.any]
        #expect {
            try FaceAnalyzer(configuration: configuration)
        } throws: { error in
            (error as? ModelError) == .useNotAllowed(fileName: "yunet_2023mar.onnx", use: .checkTrainingData)
                && (error as? ModelError)?.description.contains("--no-research-only-models") == true
        }
    }

    /// A masked face and a bare one of the same person: without the attention head the pair is
    /// compared through SFace at the unmasked threshold, and the answer says so.
    @Test(.enabled(if: Fixtures.hasModels && Fixtures.hasData, "needs the models and ../shared/data"))
    func maskedPairsAreComparedThroughSFace() async throws {
        let person = try #require(Fixtures.dataDirectory).appending("/masked-people/duhaitao")
        let masked = try Image(contentsOf: person + "/masked/0_0_1.jpg")
        let bare = try Image(contentsOf: person + "/unmasked/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: person + "/unmasked").sorted().first)))
        let restricted = try await FaceAnalyzer(configuration: Self.restricted).verify(masked, bare)
        #expect(restricted.verification.method == .sface)
        #expect(restricted.verification.threshold == Verification.defaultThreshold)
        #expect(restricted.verification.firstMasked == true)
        let full = try await FaceAnalyzer().verify(masked, bare)
        #expect(full.verification.method == .attentionHead)
    }
}
