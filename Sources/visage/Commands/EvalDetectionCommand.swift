import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalDetectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Face detection AP at IoU 0.5 and recall by label against Pascal VOC boxes.",
        discussion: """
        Images and annotations are paired by file stem (images/NAME.jpg with \
        annotations/NAME.xml). Every labelled box is a face whatever its label (with_mask, \
        without_mask, …); recall is also given per label. The curve is traced with the \
        detector's score floor at --curve-threshold; the pipeline's own threshold (0.7) is \
        reported as the operating point. Writes pr.svg/png beside the report.

        Examples:
          visage eval detection
          visage eval detection --voc ../shared/data/mask-boxes --output out/eval/detection
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder with images/ and annotations/ (default: $VISAGE_DATA/mask-boxes, else ../shared/data/mask-boxes).", valueName: "dir"))
    var voc: String?

    @Option(help: "Detector score floor while tracing the precision–recall curve.")
    var curveThreshold: Float = 0.3

    @Option(help: "IoU at which a detection matches a labelled box.")
    var iou: Float = 0.5

    @Option(help: ArgumentHelp("Folder for the report and plots.", valueName: "dir"))
    var output: String = Eval.defaultOutput("detection")

    func validate() throws {
        guard (0...1).contains(curveThreshold) else { throw ValidationError("--curve-threshold must be within 0…1.") }
        guard iou > 0, iou <= 1 else { throw ValidationError("--iou must be within (0, 1].") }
    }

    func run() async throws {
        let dataset: VOCDataset
        do {
            dataset = try VOCDataset(root: Eval.dataFolder(voc, "mask-boxes"))
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        var evaluation = DetectionEvaluation(dataset: dataset)
        evaluation.curveScoreThreshold = curveThreshold
        evaluation.iouThreshold = iou
        let configuration = global.analyzerConfiguration(tasks: [], imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(configuration: configuration, output: output) { progress.update($0, $1, $2) }
        }
    }
}
