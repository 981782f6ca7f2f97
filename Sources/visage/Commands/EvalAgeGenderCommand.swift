import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalAgeGenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "age-gender",
        abstract: "Apparent age MAE and gender accuracy on UTKFace, broken down by race, gender and age band.",
        discussion: """
        Runs the whole pipeline on each photo (the detector must find the face on these \
        200×200 crops; photos where it does not are counted per group) and compares the \
        largest face's estimates with the labels in the file names. Writes predictions.csv and \
        age.svg/png (predicted against labelled age) beside the report.

        Examples:
          visage eval age-gender
          visage eval age-gender --utkface ../shared/data/utkface --limit 200 --output out/eval/utk-200
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The UTKFace folder of AGE_GENDER_RACE_DATE.jpg.chip.jpg files (default: $VISAGE_DATA/utkface, else ../shared/data/utkface).", valueName: "dir"))
    var utkface: String?

    @Option(help: "Use only the first N photos by file name (default: all).")
    var limit: Int?

    @Option(help: ArgumentHelp("Folder for the report and plots (default: out/eval/age-gender).", valueName: "dir"))
    var output: String = Eval.defaultOutput("age-gender")

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let dataset: UTKFaceDataset
        do {
            dataset = try UTKFaceDataset(root: utkface ?? Eval.dataRoot + "/utkface", limit: limit)
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let analyzer = try global.makeAnalyzer(tasks: [.age, .gender])
        let evaluation = AgeGenderEvaluation(dataset: dataset)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
