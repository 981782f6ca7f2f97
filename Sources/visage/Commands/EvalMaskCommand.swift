import ArgumentParser
import VisageEvaluation

struct EvalMaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Face-mask classification accuracy (needs a mask model; none exists yet).",
        discussion: """
        Reads a folder with with_mask/ and without_mask/ photos and checks it; accuracy and \
        per-class recall will follow once Visage has a mask model. Until then it reports the \
        data and exits 1, with no numbers.

        Examples:
          visage eval mask
          visage eval mask ../shared/data/masks
        """
    )

    @Argument(help: ArgumentHelp("Folder with with_mask/ and without_mask/ (default: $VISAGE_DATA/masks, else ../shared/data/masks).", valueName: "dir"))
    var directory: String?

    func run() async throws {
        try EvalUnavailable.check(task: "face-mask") {
            try ClassFolderDataset(root: directory ?? Eval.dataRoot + "/masks", hint: "Give a folder with with_mask/ and without_mask/, e.g. ../shared/data/masks.")
        }
    }
}
