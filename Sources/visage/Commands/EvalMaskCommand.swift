import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalMaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Face-mask classification accuracy on with_mask/ and without_mask/ photos (and VOC street photos).",
        discussion: """
        Each photo goes through the whole pipeline (detection, alignment, mask model) and its \
        largest face is classified; the class folder is the label. Photos without a detected \
        face are counted apart and, in a second figure, as errors. --only restricts the run to \
        the relative paths listed in a file (training/mask/holdout.txt is the held-out 20% the \
        shipped model never saw). --voc adds the faces of a Pascal VOC folder matched to its \
        with_mask/without_mask boxes at IoU ≥ 0.5.

        Examples:
          visage eval mask ../shared/data/masks --only training/mask/holdout.txt
          visage eval mask --voc ../shared/data/mask-boxes --output out/eval/mask-all
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Folder with with_mask/ and without_mask/ (default: $VISAGE_DATA/masks, else ../shared/data/masks).", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("File of relative paths (with_mask/x.jpg, one a line) to evaluate; default: every photo.", valueName: "file"))
    var only: String?

    @Option(help: ArgumentHelp("Also score the faces of this Pascal VOC folder (images/ + annotations/), e.g. ../shared/data/mask-boxes.", valueName: "dir"))
    var voc: String?

    @Option(help: ArgumentHelp("Folder for the report.", valueName: "dir"))
    var output: String = Eval.defaultOutput("mask")

    func run() async throws {
        let root = Eval.dataFolder(directory, "masks")
        let dataset: ClassFolderDataset, vocDataset: VOCDataset?, kept: Set<String>?
        do {
            dataset = try ClassFolderDataset(root: root, hint: "Give a folder with with_mask/ and without_mask/, e.g. ../shared/data/masks.")
            vocDataset = try voc.map { path throws(EvaluationError) in try VOCDataset(root: path) }
            kept = try only.map { path throws(EvaluationError) in
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw .missing(path: path, hint: "--only takes a file of relative paths, one a line (e.g. training/mask/holdout.txt).")
                }
                return Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let analyzer = try global.makeAnalyzer(tasks: [.mask], imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        let name = URL(fileURLWithPath: root).standardized.lastPathComponent + (only.map { " (" + ($0 as NSString).lastPathComponent + ")" } ?? "")
        let evaluation = MaskEvaluation(dataset: dataset, name: name, only: kept, voc: vocDataset)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
