import ArgumentParser
import Foundation
import VisageEvaluation
import VisageHeads

struct EvalHeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Learning curve of a custom head: accuracy on the other photos vs training photos per label.",
        discussion: """
        DIR is laid out as for `visage train-head` (DIR/<label>/*.jpg). For each size N, \
        --repeats seeded draws of N photos per label train a head exactly as train-head does, \
        and every photo not drawn (with a face) tests it. Writes curve.svg/png beside the report; \
        embeddings are cached in embeddings.tsv there, so a re-run takes seconds.

        Examples:
          visage eval head --folders ../shared/data/masks --output out/eval/head-masks
          visage eval head --folders my-labels --per-label 5,10 --repeats 10
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder with one sub-folder of photos per label (default: $VISAGE_DATA/masks, else ../shared/data/masks).", valueName: "dir"))
    var folders: String?

    @Option(help: ArgumentHelp("Training photos per label, comma-separated.", valueName: "n,n,…"))
    var perLabel: String = "5,10,20,50"

    @Option(help: "Seeded draws per size.")
    var repeats: Int = 5

    @Option(help: "Seed of the first draw.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Folder for the report and plots.", valueName: "dir"))
    var output: String = Eval.defaultOutput("head")

    func validate() throws {
        guard let sizes = sizes, !sizes.isEmpty, sizes.allSatisfy({ $0 >= 2 }) else {
            throw ValidationError("--per-label must be comma-separated whole numbers of at least 2, e.g. 5,10,20,50.")
        }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1.") }
    }

    private var sizes: [Int]? {
        let values = perLabel.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.contains(nil) ? nil : values.compactMap { $0 }.sorted()
    }

    func run() async throws {
        let root = Eval.dataFolder(folders, "masks")
        let photos: LabelledPhotos
        do { photos = try LabelledPhotos(folder: root) } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let analyzer = try global.makeAnalyzer(tasks: FaceFeatures.sface.tasks)
        var curve = HeadLearningCurve(photos: photos, name: (root as NSString).lastPathComponent, source: root)
        curve.perLabel = sizes!
        curve.repeats = repeats
        curve.seed = seed
        try await Eval.run(json: global.json, output: output) { progress in
            try await curve.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
