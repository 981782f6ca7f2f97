import ArgumentParser
import VisageEvaluation

/// For evaluations whose model Visage does not have yet: check the data, say what was found
/// and that no model exists, and exit 1 (3 when the data itself is bad).
enum EvalUnavailable {
    static func check(task: String, _ load: () throws -> ClassFolderDataset) throws {
        let dataset: ClassFolderDataset
        do { dataset = try load() } catch let error as EvaluationError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let counts = dataset.classes.indices.map { label in "\(dataset.classes[label]) \(dataset.samples.count { $0.label == label })" }
        report(task: task, data: "\(dataset.samples.count) photos in \(dataset.root) (\(counts.joined(separator: ", ")))")
        throw ExitCode.failure
    }

    static func report(task: String, data: String) {
        printError("Found \(data).")
        printError("Error: " + (EvaluationError.modelNotAvailable(
            task: task, detail: "The data set parser and metrics are ready; the evaluation will run once a model is added to VisageModels.").errorDescription ?? ""))
    }
}
