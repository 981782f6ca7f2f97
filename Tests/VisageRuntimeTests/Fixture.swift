import Foundation
import VisageRuntime

/// The committed ONNX fixtures (see Fixtures/make_fixtures.py) and the shared runtime they run on.
enum Fixture {
    /// `x` N×3 → `y`, Identity.
    static let identity = path("identity.onnx")
    /// `a`, `b` 2×3 → `sum`, `difference`.
    static let addSub = path("add_sub.onnx")
    /// `ids` int64 L → `values` float, Cast.
    static let cast = path("cast.onnx")
    /// Text, not protobuf.
    static let notAModel = path("not-a-model.onnx")
    /// The first half of identity.onnx.
    static let truncatedIdentity = path("identity-truncated.onnx")

    static func path(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("fixture \(name) is not in the test bundle; rerun Fixtures/make_fixtures.py")
        }
        return url.path
    }

    /// The configuration every test shares: the defaults, with any `VISAGE_ORT_*` variable
    /// applied, so a test run can target another library or threading mode.
    static let configuration = RuntimeConfiguration(environment: ProcessInfo.processInfo.environment)

    /// The process's runtime, loaded with ``configuration``.
    static func runtime() throws -> OnnxRuntime {
        try OnnxRuntime.shared(configuration)
    }

    static func session(_ path: String) throws -> InferenceSession {
        try InferenceSession(modelPath: path, runtime: runtime())
    }

    /// A file under a fresh temporary folder; the folder is removed at process exit by the OS
    /// cleaning /tmp, and the names never collide between parallel tests.
    static func temporaryFile(named name: String, contents: Data?) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-runtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        if let contents {
            try contents.write(to: file)
        }
        return file.path
    }
}
