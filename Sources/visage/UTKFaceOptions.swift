import ArgumentParser
import VisageEvaluation

/// Which UTKFace photos an evaluation reads: `eval age-gender` and `eval demographics`.
struct UTKFaceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The UTKFace folder of AGE_GENDER_RACE_DATE.jpg.chip.jpg files (default: $VISAGE_DATA/utkface, else ../shared/data/utkface).", valueName: "dir"))
    var utkface: String?

    @Option(help: "Use only the first N photos by file name (default: all).")
    var limit: Int?

    @Option(help: ArgumentHelp("Only this part of the fixed UTKFace split (without it: all photos).", valueName: "part"))
    var part: UTKFacePart?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    /// The photos; a missing or empty folder is printed as an error and exits 3.
    func dataset() throws -> UTKFaceDataset {
        do { return try UTKFaceDataset(root: Eval.dataFolder(utkface, "utkface"), part: part, limit: limit) } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
    }
}
