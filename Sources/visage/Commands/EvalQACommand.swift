import ArgumentParser
import Foundation
import Visage
import VisageAsk
import VisageEvaluation

struct EvalQACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Multiple-choice questions from labelled data (FaceXBench-style): Visage's accuracy per category against chance.",
        discussion: """
        Generates questions from UTKFace (age group, 4 options; gender), CelebA attributes \
        (male, young, smiling, eyeglasses, hat, mustache, bald: yes/no), FER2013 PublicTest \
        (expression, 4 options) and the mask folders (yes/no), sampling photos with --seed. Each \
        question is answered as `visage ask` answers it, on the largest face. Categories Visage \
        cannot answer in this build are listed with their random baseline and no accuracy. \
        Writes report.md, report.json and items.jsonl (every question, its options, the right \
        one and Visage's choice) to --output.

        Examples:
          visage eval qa
          visage eval qa --limit 100 --seed 3 --output out/eval/qa-small
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Root of the labelled sets (default: $VISAGE_DATA, else ../shared/data).", valueName: "dir"))
    var data: String?

    @Option(help: "Photos sampled per data set (CelebA has 291).")
    var limit = 500

    @Option(help: "Seed of the sampling and of the option order.")
    var seed: UInt64 = 7

    @Option(help: ArgumentHelp("Folder for the report.", valueName: "dir"))
    var output: String = Eval.defaultOutput("qa")

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let root = data ?? Eval.dataRoot
        var benchmark = MultipleChoiceBenchmark(seed: seed)
        var found = 0
        let sets: [(folder: String, load: (String) throws(EvaluationError) -> [LabelledFace])] = [
            ("utkface", LabelledSets.utkface),
            ("celeba-attributes", LabelledSets.celeba),
            ("fer2013/publictest", { root throws(EvaluationError) in try LabelledSets.expressions(root, dataset: "FER2013 PublicTest") }),
            ("masks", LabelledSets.masks),
        ]
        for set in sets {
            let folder = root + "/" + set.folder
            guard FileManager.default.fileExists(atPath: folder) else {
                printError("Skipping \(set.folder): not found under \(root).")
                continue
            }
            do {
                benchmark.add(try set.load(folder), limit: limit, source: folder)
                found += 1
            } catch {
                printError("Error: " + (error.errorDescription ?? "\(error)"))
                throw VisageExitCode.badInput
            }
        }
        guard found > 0 else {
            printError("Error: none of utkface, celeba-attributes, fer2013/publictest, masks is under \(root); set --data or $VISAGE_DATA.")
            throw VisageExitCode.badInput
        }
        let analyzer = try global.makeAnalyzer(tasks: FaceAnalyzer.Tasks.all.subtracting([.embedding, .alignedCrop]))
        try await Eval.run(json: global.json, output: output) { progress in
            try await benchmark.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
