public import Foundation

/// What went wrong while loading ONNX Runtime, opening a model or running it.
///
/// ``errorDescription`` says what happened and what to do without naming files, so it is
/// safe to show to anyone; ``debugDescription`` adds paths and ORT's own words for the logs.
public enum RuntimeError: Error, Sendable, Equatable {
    /// No file at the library path. `hint` names the set-up command that provisions it.
    case libraryMissing(path: String, hint: String)
    /// The file could not serve as ONNX Runtime: `dlopen` failed, it has no `OrtGetApiBase`,
    /// or it does not serve the API version we call.
    case libraryInvalid(path: String, reason: String)
    /// ``OnnxRuntime/shared(_:)`` was asked for a configuration other than the one the process
    /// already loaded; ONNX Runtime allows one environment per process.
    case configurationConflict(active: RuntimeConfiguration, requested: RuntimeConfiguration)
    /// No file at the model path.
    case modelMissing(path: String, hint: String)
    /// ONNX Runtime refused the model file; `reason` is its message.
    case modelInvalid(path: String, reason: String)
    /// A feed does not fit the model's declared inputs; checked before ONNX Runtime sees it.
    case inputMismatch(input: String, problem: InputProblem)
    /// An output name the model does not declare was asked for.
    case unknownOutput(name: String, available: [String])
    /// A tensor's value count is not the product of its shape, or a dimension is negative.
    case invalidTensor(shape: [Int], valueCount: Int)
    /// The model produced an output that a float32 ``Tensor`` cannot hold.
    case unsupportedOutput(name: String, elementType: TensorElementType)
    /// Any other failure ONNX Runtime reported; `code` is its `OrtErrorCode`.
    case ortFailure(code: Int, message: String)

    /// How a feed fails to fit a declared input.
    public enum InputProblem: Sendable, Equatable {
        /// The model has no input of that name.
        case unknown(available: [String])
        /// The model declares the input but no feed was given for it.
        case missing
        /// The feed's shape differs from the declared one (nil marks a free dimension).
        case shape(expected: [Int?], actual: [Int])
        /// The input is not float32, the only element type a ``Tensor`` holds.
        case elementType(expected: TensorElementType)
    }

    /// The set-up command that provisions the library and models.
    static let setupHint = "run `make setup` (scripts/setup)"
}

extension RuntimeError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case .libraryMissing(_, let hint):
            "The ONNX Runtime library is not installed; \(hint)."
        case .libraryInvalid:
            "The ONNX Runtime library could not be loaded; reinstall it with \(Self.setupHint)."
        case .configurationConflict:
            "ONNX Runtime is already loaded with another configuration; load it once per process."
        case .modelMissing(_, let hint):
            "A model file is missing; \(hint)."
        case .modelInvalid:
            "A model file is not a valid ONNX model for this runtime; reinstall it with \(Self.setupHint)."
        case .inputMismatch(let input, let problem):
            "Input '\(input)' \(problem.summary)."
        case .unknownOutput(let name, let available):
            "The model has no output '\(name)'; it has \(available.joined(separator: ", "))."
        case .invalidTensor(let shape, let count):
            "A tensor of shape \(Self.format(shape)) cannot hold \(count) values."
        case .unsupportedOutput(let name, let type):
            "Output '\(name)' holds \(type) values; only float32 outputs are supported."
        case .ortFailure(let code, _):
            "ONNX Runtime failed (error code \(code))."
        }
    }

    static func format(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    static func format(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
    }
}

extension RuntimeError: CustomDebugStringConvertible {
    public var debugDescription: String {
        let detail: String? =
            switch self {
            case .libraryMissing(let path, _), .modelMissing(let path, _): "path: \(path)"
            case .libraryInvalid(let path, let reason), .modelInvalid(let path, let reason):
                "path: \(path); reason: \(reason)"
            case .configurationConflict(let active, let requested): "active: \(active); requested: \(requested)"
            case .ortFailure(_, let message): "message: \(message)"
            case .inputMismatch, .unknownOutput, .invalidTensor, .unsupportedOutput: nil
            }
        return [errorDescription, detail].compactMap { $0 }.joined(separator: " ")
    }
}

extension RuntimeError.InputProblem {
    fileprivate var summary: String {
        switch self {
        case .unknown(let available):
            "is not an input of the model; it takes \(available.joined(separator: ", "))"
        case .missing:
            "is required by the model but was not fed"
        case .shape(let expected, let actual):
            "expects shape \(RuntimeError.format(expected)) but got \(RuntimeError.format(actual))"
        case .elementType(let expected):
            "expects \(expected) values but got float32"
        }
    }
}
