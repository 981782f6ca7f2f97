public import Foundation
import VisageCore
import VisageRuntime

/// What a model file must look like and how its input is prepared.
///
/// Each model type declares one, and its file in VisageModels makes its input from an image and
/// a face's landmarks (its chip or crop, then ``tensor(of:size:)``), so that what the contract
/// says is what runs; its initialiser checks the loaded session against it and
/// throws ``ModelError/modelMismatch(name:detail:)`` instead of guessing a role from shapes.
public struct ModelContract: Sendable {
    /// A tensor the model must expose: its name and the dimensions that must match
    /// (nil where any size is accepted, such as a batch or image dimension).
    public struct TensorSpec: Sendable {
        public var name: String
        public var shape: [Int?]

        public init(_ name: String, _ shape: [Int?]) {
            self.name = name
            self.shape = shape
        }
    }

    /// Human-readable model name used in errors and model cards.
    public var name: String
    /// File name inside the model directory.
    public var fileName: String
    public var input: TensorSpec
    public var outputs: [TensorSpec]
    /// How the input tensor is made: from pixels (and how), or from SFace's feature map.
    public var encoding: InputEncoding
    /// How to get the file when it is missing; by default the set-up step that installs it.
    public var missingHint = "Run `make setup` (scripts/setup) to provision the models into $VISAGE_HOME."

    /// Opens the model's session and verifies names, element types and the fixed dimensions.
    func load(from directory: ModelDirectory, runtime: OnnxRuntime) throws -> InferenceSession {
        let path = directory.path(for: fileName)
        guard directory.fileExists(fileName) else {
            throw ModelError.modelMissing(name: name, path: path, hint: missingHint)
        }
        let session = try InferenceSession(modelPath: path, runtime: runtime)
        try check(input, against: session.inputs, role: "input")
        for output in outputs { try check(output, against: session.outputs, role: "output") }
        return session
    }

    private func check(_ spec: TensorSpec, against infos: [TensorInfo], role: String) throws {
        guard let info = infos.first(where: { $0.name == spec.name }) else {
            let found = infos.map(\.name).joined(separator: ", ")
            throw ModelError.modelMismatch(name: name, detail: "no \(role) named '\(spec.name)' (found: \(found))")
        }
        guard info.elementType == .float32 else {
            throw ModelError.modelMismatch(name: name, detail: "\(role) '\(spec.name)' is \(info.elementType), expected float32")
        }
        guard info.shape.count == spec.shape.count else {
            throw ModelError.modelMismatch(name: name, detail: "\(role) '\(spec.name)' has rank \(info.shape.count), expected \(spec.shape.count)")
        }
        for (actual, expected) in zip(info.shape, spec.shape) {
            // A fixed size in the file where we need a free one is a mismatch too: YuNet's
            // original 640×640 input would reject every other image size at run time.
            if actual != expected {
                let show = { (d: [Int?]) in "[" + d.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]" }
                throw ModelError.modelMismatch(name: name, detail: "\(role) '\(spec.name)' has shape \(show(info.shape)), expected \(show(spec.shape))")
            }
        }
    }
}

/// The folder holding the model files, by default `$VISAGE_HOME/models`.
public struct ModelDirectory: Sendable, Hashable {
    public var url: URL

    public init(url: URL) {
        self.url = url
    }

    /// `$VISAGE_MODELS`, else `$VISAGE_HOME/models`, with `VISAGE_HOME` defaulting to `~/.cache/visage`.
    public static var `default`: ModelDirectory {
        let env = ProcessInfo.processInfo.environment
        if let models = env["VISAGE_MODELS"], !models.isEmpty {
            return ModelDirectory(url: URL(fileURLWithPath: models, isDirectory: true))
        }
        return ModelDirectory(url: visageHome.appendingPathComponent("models", isDirectory: true))
    }

    /// `$VISAGE_HOME`, defaulting to `~/.cache/visage`.
    public static var visageHome: URL {
        let env = ProcessInfo.processInfo.environment
        if let home = env["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home, isDirectory: true) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage", isDirectory: true)
    }

    func path(for fileName: String) -> String { url.appendingPathComponent(fileName).path }
    func fileExists(_ fileName: String) -> Bool { FileManager.default.fileExists(atPath: path(for: fileName)) }
}
