import Foundation
import Testing
import VisageRuntime

/// Runs on the real models `make setup` provisions into `$VISAGE_HOME/models`; each test is
/// skipped, with a message, where its model is absent.
struct RuntimeIntegrationTests {
    static let models: String = {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/visage"
        return home + "/models"
    }()

    static func model(_ name: String) -> String { models + "/" + name }

    static func present(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: model(name))
    }

    /// A deterministic, image-like batch: each item a different smooth ramp in 0...255.
    static func batch(_ shape: [Int]) throws -> Tensor {
        let perItem = shape.dropFirst().reduce(1, *)
        let values = (0..<shape[0] * perItem).map { index in
            let item = index / perItem
            return Float((index % perItem) * (item + 1) % 256)
        }
        return try Tensor(shape: shape, values: values)
    }

    @Test(.enabled(if: present("sface_2021dec.onnx"), "sface_2021dec.onnx is not provisioned; run `make setup`"))
    func sfaceEmbedsABatchOfTwoAsItEmbedsEachAlone() throws {
        let session = try Fixture.session(Self.model("sface_2021dec.onnx"))
        #expect(session.inputs == [TensorInfo(name: "data", elementType: .float32, shape: [nil, 3, 112, 112])])
        // bn1, the last feature map, is exposed by the set-up's conversion for the mask classifier
        // and the attention head.
        #expect(session.outputs == [TensorInfo(name: "fc1", elementType: .float32, shape: [nil, 128]),
                                    TensorInfo(name: "bn1", elementType: .float32, shape: [nil, 1024, 7, 7])])

        let crops = try Self.batch([2, 3, 112, 112])
        let embeddings = try #require(try session.run(["data": crops])["fc1"])
        #expect(embeddings.shape == [2, 128])
        #expect(embeddings.values.allSatisfy { $0.isFinite })
        #expect(embeddings.values[0..<128] != embeddings.values[128..<256])

        let second = try Tensor(shape: [1, 3, 112, 112], values: Array(crops.values[(3 * 112 * 112)...]))
        let alone = try #require(try session.run(["data": second])["fc1"])
        let largest = zip(alone.values, embeddings.values[128...]).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest < 1e-3, "batch and single embeddings differ by \(largest)")
    }

    @Test(.enabled(if: present("yunet_2023mar.onnx"), "yunet_2023mar.onnx is not provisioned; run `make setup`"))
    func yunetReturnsItsTwelveHeadsForA640Frame() throws {
        let session = try Fixture.session(Self.model("yunet_2023mar.onnx"))
        #expect(session.inputs.first?.shape == [1, 3, nil, nil])
        let result = try session.run(["input": try Self.batch([1, 3, 640, 640])])
        #expect(result.count == 12)
        // 640/8 squared anchors at stride 8, one score each.
        #expect(result["cls_8"]?.shape == [1, 6400, 1])
        #expect(result["kps_32"]?.shape == [1, 400, 10])
    }
}
