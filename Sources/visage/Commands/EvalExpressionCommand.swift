import ArgumentParser
import VisageEvaluation

struct EvalExpressionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expression",
        abstract: "Facial expression accuracy on FER2013 or CK+ (needs an expression model; none exists yet).",
        discussion: """
        Reads a folder of class folders (angry, disgust, fear, happy, neutral, sad, surprise) \
        and checks it; the accuracy, per-class recall and confusion matrix will follow once \
        Visage has an expression model. Until then it reports the data and exits 1, with no numbers.

        Examples:
          visage eval expression
          visage eval expression --fer ../shared/data/ckplus48
        """
    )

    @Option(help: ArgumentHelp("Folder of class folders (default: $VISAGE_DATA/fer2013/publictest, else ../shared/data/fer2013/publictest).", valueName: "dir"))
    var fer: String?

    func run() async throws {
        try EvalUnavailable.check(task: "facial expression") {
            try ClassFolderDataset(root: fer ?? Eval.dataRoot + "/fer2013/publictest", hint: "Point --fer at a folder of class folders, e.g. ../shared/data/fer2013/publictest.")
        }
    }
}

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
