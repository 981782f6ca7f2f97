import Foundation
import Testing
import VisageRuntime

struct InferenceSessionTests {
    @Test func describesASymbolicBatchDimensionAsNil() throws {
        let session = try Fixture.session(Fixture.identity)
        #expect(session.inputs == [TensorInfo(name: "x", elementType: .float32, shape: [nil, 3])])
        #expect(session.outputs == [TensorInfo(name: "y", elementType: .float32, shape: [nil, 3])])
        #expect(session.modelPath == Fixture.identity)
    }

    @Test func listsSeveralInputsAndOutputsInDeclaredOrder() throws {
        let session = try Fixture.session(Fixture.addSub)
        #expect(session.inputs.map(\.name) == ["a", "b"])
        #expect(session.outputs.map(\.name) == ["sum", "difference"])
        #expect(session.inputs.allSatisfy { $0.shape == [2, 3] && $0.elementType == .float32 })
    }

    @Test func reportsNonFloatElementTypes() throws {
        let session = try Fixture.session(Fixture.cast)
        #expect(session.inputs == [TensorInfo(name: "ids", elementType: .int64, shape: [nil])])
        #expect(session.outputs == [TensorInfo(name: "values", elementType: .float32, shape: [nil])])
    }

    @Test func aMissingModelNamesItsPath() throws {
        let path = try Fixture.temporaryFile(named: "absent.onnx", contents: nil)
        let error = #expect(throws: RuntimeError.self) { try Fixture.session(path) }
        guard case .modelMissing(let reported, let hint) = error else {
            Issue.record("expected modelMissing, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(hint.contains("make setup"))
        #expect(error?.debugDescription.contains(path) == true)
        #expect(error?.errorDescription?.contains(path) == false)
    }

    @Test(arguments: [Fixture.notAModel, Fixture.truncatedIdentity])
    func aFileOrtCannotParseIsAnInvalidModel(path: String) throws {
        let error = #expect(throws: RuntimeError.self) { try Fixture.session(path) }
        guard case .modelInvalid(let reported, let reason) = error else {
            Issue.record("expected modelInvalid, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(!reason.isEmpty)
    }

    @Test func aFolderIsAnInvalidModel() throws {
        let folder = URL(fileURLWithPath: Fixture.identity).deletingLastPathComponent().path
        let error = #expect(throws: RuntimeError.self) { try Fixture.session(folder) }
        guard case .modelInvalid = error else {
            Issue.record("expected modelInvalid, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [SessionOptions(intraOpThreads: 1), SessionOptions(graphOptimization: .none)])
    func sessionOptionsChangeHowNotWhatItComputes(options: SessionOptions) throws {
        let session = try InferenceSession(modelPath: Fixture.addSub, runtime: Fixture.runtime(), options: options)
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [2, 3], values: [6, 5, 4, 3, 2, 1])
        #expect(try session.run(["a": a, "b": b], outputs: ["sum"])["sum"]?.values == [7, 7, 7, 7, 7, 7])
    }
}
