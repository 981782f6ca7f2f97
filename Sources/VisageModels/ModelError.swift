public import Foundation

/// Why a model could not be loaded or run.
public enum ModelError: Error, Sendable, Equatable {
    /// The model file is not where the model directory says it should be.
    case modelMissing(name: String, path: String, hint: String)
    /// The file loaded, but its inputs or outputs are not the ones the model's contract declares.
    case modelMismatch(name: String, detail: String)
    /// The model ran but returned something its contract rules out.
    case unexpectedOutput(name: String, detail: String)
}

extension ModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .modelMissing(name, path, hint):
            "The \(name) model is missing: \(path) does not exist. \(hint)"
        case let .modelMismatch(name, detail):
            "The file given as the \(name) model does not match what Visage expects: \(detail). Re-run `make setup` to restore the pinned file."
        case let .unexpectedOutput(name, detail):
            "The \(name) model returned an unexpected output: \(detail)."
        }
    }
}


extension ModelError: LocalizedError {
    public var errorDescription: String? { description }
}
