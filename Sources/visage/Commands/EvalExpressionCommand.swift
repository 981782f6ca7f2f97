import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageModels
import VisageRuntime

struct EvalExpressionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expression",
        abstract: "Facial expression accuracy, per-class recall and confusion matrix on FER2013 or CK+.",
        discussion: """
        Reads a folder of class folders (angry, disgust, fear, happy, neutral, sad, surprise; \
        CK+'s anger/sadness spellings are accepted, its contempt class is skipped and counted) \
        of face crops and feeds each crop to the expression model at its 48×48 input. Writes \
        confusion.png beside the report.

        Examples:
          visage eval expression
          visage eval expression --fer ../shared/data/ckplus48 --output out/eval/ckplus
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder of class folders (default: $VISAGE_DATA/fer2013/publictest, else ../shared/data/fer2013/publictest).", valueName: "dir"))
    var fer: String?

    @Option(help: ArgumentHelp("Folder for the report and plots.", valueName: "dir"))
    var output: String = Eval.defaultOutput("expression")

    func run() async throws {
        // Before any photo is read: under --no-research-only-models the model cannot run at all.
        try global.permit(ExpressionClassifier.card)
        let root = Eval.dataFolder(fer, "fer2013/publictest")
        let dataset: ClassFolderDataset
        do {
            dataset = try ClassFolderDataset(root: root, hint: "Point --fer at a folder of class folders, e.g. ../shared/data/fer2013/publictest.")
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let classifier: ExpressionClassifier
        do {
            // The same model folder and runtime settings as every other command.
            let configuration = global.analyzerConfiguration(tasks: [])
            classifier = try ExpressionClassifier(directory: configuration.models, runtime: try OnnxRuntime.shared(configuration.runtime))
        } catch {
            throw CommandFailure(FaceReport.message(for: error))
        }
        let name = URL(fileURLWithPath: root).standardized.pathComponents.suffix(2).joined(separator: "/")
        let evaluation = ExpressionEvaluation(dataset: dataset, name: name)
        try await Eval.run(json: global.json, output: output) { progress in
            try evaluation.run(classifier: classifier, output: output) { progress.update($0, $1, $2) }
        }
    }
}
