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
        of face crops and feeds each crop to the expression model at its input, with no \
        detection: --model separate is expression-fer2013.onnx on the crop resized to 48×48 \
        grey; --model sface-head is our head on SFace's feature map of the crop resized to \
        112×112 (expression-sface-head.onnx). Writes confusion.png beside the report.

        Examples:
          visage eval expression
          visage eval expression --model sface-head --output out/eval/expression-sface-head
          visage eval expression --fer ../shared/data/ckplus48 --output out/eval/ckplus
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder of class folders (default: $VISAGE_DATA/fer2013/publictest, else ../shared/data/fer2013/publictest).", valueName: "dir"))
    var fer: String?

    @Option(help: ArgumentHelp("Folder for the report and plots (default: out/eval/expression).", valueName: "dir"))
    var output: String = Eval.defaultOutput("expression")

    @Option(help: ArgumentHelp("sface-head or separate (default: what `visage analyze` uses).", valueName: "model"))
    var model: String?

    func validate() throws {
        if let model, FaceAnalyzer.AttributeModel(rawValue: model) == nil {
            throw ValidationError("Unknown --model \"\(model)\"; known: \(FaceAnalyzer.AttributeModel.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let root = fer ?? Eval.dataRoot + "/fer2013/publictest"
        let dataset: ClassFolderDataset
        do {
            dataset = try ClassFolderDataset(root: root, hint: "Point --fer at a folder of class folders, e.g. ../shared/data/fer2013/publictest.")
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        // The same model folder and runtime settings as every other command.
        let configuration = global.analyzerConfiguration(tasks: [])
        let choice = model.flatMap(FaceAnalyzer.AttributeModel.init) ?? configuration.expressionModel
        let name = URL(fileURLWithPath: root).standardized.pathComponents.suffix(2).joined(separator: "/")
        let evaluation = ExpressionEvaluation(dataset: dataset, name: name)
        do {
            let runtime = try OnnxRuntime.shared(configuration.runtime)
            switch choice {
            case .separateNetwork:
                let classifier = try ExpressionClassifier(directory: configuration.models, runtime: runtime)
                try await Eval.run(json: global.json, output: output) { progress in
                    try evaluation.run(classifier: classifier, output: output) { progress.update($0, $1, $2) }
                }
            case .sfaceHead:
                let sface = try SFaceEmbedder(directory: configuration.models, runtime: runtime)
                let head = try SFaceExpressionHead(directory: configuration.models, runtime: runtime)
                try await Eval.run(json: global.json, output: output) { progress in
                    try evaluation.run(sface: sface, head: head, output: output) { progress.update($0, $1, $2) }
                }
            }
        } catch let error as ModelError {
            throw CommandFailure(FaceReport.message(for: error))
        } catch let error as RuntimeError {
            throw CommandFailure(FaceReport.message(for: error))
        }
    }
}
