import Foundation
import Synchronization
import Testing
import VisageTestSupport
@testable import Visage
import VisageCore
import VisageModels

/// Choosing what to compute: per-call tasks, models opened only when a task needs them, and the
/// attribute names users type.
struct AnalysisTasksTests {
    static func configuration(tasks: FaceAnalyzer.Tasks) -> FaceAnalyzer.Configuration {
        var configuration = FaceAnalyzer.Configuration()
        configuration.tasks = tasks
        return configuration
    }

    /// Age and gender from the package's networks of their own, not the heads on SFace's map:
    /// the laziness tests below need models that nothing else opens.
    static func separateNetworks(tasks: FaceAnalyzer.Tasks) -> FaceAnalyzer.Configuration {
        var configuration = configuration(tasks: tasks)
        configuration.ageModel = .separateNetwork
        configuration.genderModel = .separateNetwork
        return configuration
    }

    @Test func ageAndGenderFromSFaceHeadsOpenSFaceAndTheHeadsOnly() async throws {
        let analyzer = try FaceAnalyzer(configuration: Self.configuration(tasks: [.age, .gender]))
        #expect(analyzer.openedModelFiles == ["yunet_2023mar.onnx", "sface_2021dec.onnx", "age-sface-head.onnx", "gender-sface-head.onnx"])
        let faces = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")))
        #expect(faces.count == 6)
        for face in faces {
            #expect(face.age != nil && face.gender != nil)
            // SFace ran for the heads, but its embedding was not asked for.
            #expect(face.expression == nil && face.mask == nil && face.embedding == nil)
        }
        #expect(!analyzer.openedModelFiles.contains(AgeEstimator.contract.fileName))
        #expect(analyzer.inferenceTimes.ageGender > .zero)
    }

    @Test func ageAndGenderOpenNeitherSFaceNorTheExpressionModel() async throws {
        let analyzer = try FaceAnalyzer(configuration: Self.separateNetworks(tasks: [.age, .gender]))
        #expect(analyzer.openedModelFiles == ["yunet_2023mar.onnx", "age-v1.onnx", "gender-v1.onnx"])

        let faces = try await analyzer.analyze(Image(contentsOf: try Fixtures.sample("t1.jpg")))
        #expect(faces.count == 6)
        for face in faces {
            #expect(face.age != nil && face.gender != nil)
            #expect(face.expression == nil && face.mask == nil && face.embedding == nil && face.alignedCrop == nil)
        }
        #expect(!analyzer.openedModelFiles.contains(ExpressionClassifier.contract.fileName))
        #expect(analyzer.inferenceTimes.expression == .zero)
    }

    @Test func aCallsOwnTasksGiveTheSameValuesAsTheFullPipeline() async throws {
        let analyzer = try FaceAnalyzer(configuration: Self.configuration(tasks: [.age]))
        let image = try Image(contentsOf: try Fixtures.sample("t1.jpg"))
        let ageOnly = try await analyzer.analyze(image)
        #expect(!analyzer.openedModelFiles.contains(ExpressionClassifier.contract.fileName))

        // A task the configuration left out opens its model on the call that asks for it.
        let full = try await analyzer.analyze(image, tasks: [.age, .gender, .expression, .embedding])
        #expect(analyzer.openedModelFiles.contains(ExpressionClassifier.contract.fileName))
        #expect(analyzer.openedModelFiles.contains(SFaceEmbedder.contract.fileName))
        #expect(!analyzer.openedModelFiles.contains(MaskClassifier.contract.fileName))
        #expect(ageOnly.map(\.box) == full.map(\.box))
        #expect(ageOnly.map(\.age) == full.map(\.age))
        #expect(full.allSatisfy { $0.gender != nil && $0.expression != nil && $0.embedding?.count == 128 && $0.mask == nil })
        #expect(ageOnly.allSatisfy { $0.gender == nil && $0.expression == nil && $0.embedding == nil })
    }

    @Test func anAnalyzerSharingModelsOpensEachFileOnce() async throws {
        let analyzer = try FaceAnalyzer(configuration: Self.separateNetworks(tasks: [.age]))
        let gender = try analyzer.sharingModels(tasks: [.gender])
        #expect(gender.configuration.tasks == [.gender])
        // The gender model opened for the second analyzer is the first's too.
        #expect(analyzer.openedModelFiles == ["yunet_2023mar.onnx", "age-v1.onnx", "gender-v1.onnx"])
        let faces = try await gender.analyze(Image(contentsOf: try Fixtures.sample("Tom_Hanks_54745.png")))
        #expect(faces.count == 1)
        #expect(faces.first?.gender != nil && faces.first?.age == nil)
    }

    @Test func faceCropsDoNotOpenTheDetector() throws {
        var configuration = Self.separateNetworks(tasks: [.gender])
        configuration.input = .faceCrop
        let analyzer = try FaceAnalyzer(configuration: configuration)
        #expect(analyzer.openedModelFiles == ["gender-v1.onnx"])
    }

    @Test func attributeListsReadAsUsersWriteThem() throws {
        #expect(try FaceAnalyzer.Tasks(attributeList: "age,gender,embedding") == [.age, .gender, .embedding])
        #expect(try FaceAnalyzer.Tasks(attributeList: " Age , mask,age") == [.age, .mask])
        #expect(try FaceAnalyzer.Tasks(attributeList: "expression") == [.expression])
        #expect(throws: FaceAnalyzer.AttributeListError(name: "smile")) { try FaceAnalyzer.Tasks(attributeList: "age,smile") }
        #expect(throws: FaceAnalyzer.AttributeListError(name: "")) { try FaceAnalyzer.Tasks(attributeList: "age,") }
        #expect(throws: FaceAnalyzer.AttributeListError(name: nil)) { try FaceAnalyzer.Tasks(attributeList: " ") }
        let message = FaceAnalyzer.AttributeListError(name: "smile").errorDescription ?? ""
        #expect(message.contains("\"smile\"") && message.contains("age, gender, expression, mask, embedding"))
    }

    @Test func aLazyModelOpensOnceWhenManyAskAtOnce() async throws {
        let opens = Mutex(0)
        let model = LazyModel<Int> {
            Thread.sleep(forTimeInterval: 0.05)  // long enough for the others to arrive meanwhile
            return opens.withLock { count in
                count += 1
                return count
            }
        }
        #expect(model.ifOpen == nil)
        let values = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 { group.addTask { (try? model.get()) ?? -1 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 1, count: 16))
        #expect(opens.withLock { $0 } == 1)
        #expect(model.ifOpen == 1)
    }

    @Test func aFailedOpenIsTriedAgain() throws {
        let attempts = Mutex(0)
        let model = LazyModel<Int> {
            let attempt = attempts.withLock { count in
                count += 1
                return count
            }
            if attempt == 1 { throw CocoaError(.fileNoSuchFile) }
            return attempt
        }
        #expect(throws: CocoaError.self) { try model.get() }
        #expect(model.ifOpen == nil)
        #expect(try model.get() == 2)
    }
}
