import ArgumentParser
import VisageEvaluation

/// For evaluations whose model Visage does not have yet: check the data, say what was found
/// and that no model exists, and exit 1 (3 when the data itself is bad).
enum EvalUnavailable {
    static func report(task: String, data: String) {
        printError("Found \(data).")
        printError("Error: " + (EvaluationError.modelNotAvailable(
            task: task, detail: "The data set parser and metrics are ready; the evaluation will run once a model is added to VisageModels.").errorDescription ?? ""))
    }
}
