public import Foundation

/// Why a model could not be loaded or run.
public enum ModelError: Error, Sendable, Equatable {
    /// The model file is not where the model directory says it should be.
    case modelMissing(name: String, path: String, hint: String)
    /// The file loaded, but its inputs or outputs are not the ones the model's contract declares.
    case modelMismatch(name: String, detail: String)
    /// The model ran but returned something its contract rules out.
    case unexpectedOutput(name: String, detail: String)
    /// The model's weights may be used only in ways the analyzer was told not to allow (its
    /// card's ``ModelCard/Use``, e.g. research-only weights under `--no-research-only-models`).
    case useNotAllowed(fileName: String, use: ModelCard.Use)
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
        case let .useNotAllowed(fileName, use):
            "This analyzer does not run \(use.rawValue) models (--no-research-only-models, FaceAnalyzer.Configuration.allowedModelUses), "
                + "and \(fileName) is one: leave out what needs it (`visage models` lists each model's use)."
        }
    }
}


extension ModelError: LocalizedError {
    public var errorDescription: String? { description }
}
