import ArgumentParser
import Visage
import VisageEvaluation

struct EvalAttributesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attributes",
        abstract: "Per-attribute accuracy on CelebA's -1/1 labels, by cross-validation of heads on face features.",
        discussion: """
        For each of the 40 attributes with at least --minimum photos on each side, a binary head \
        on the SFace embedding is scored by k-fold cross-validation by image (penalty chosen \
        inside each training part) against the majority-class baseline; the others are listed \
        with the reason. Also writes heads/<Attribute>.json, trained on every photo, for \
        `visage analyze --head`.

        Examples:
          visage eval attributes
          visage eval attributes --celeba ../shared/data/celeba-attributes --folds 10
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder with list_attr_celeba.txt and images/ (default: $VISAGE_DATA/celeba-attributes, else ../shared/data/celeba-attributes).", valueName: "dir"))
    var celeba: String?

    @Option(help: "Cross-validation folds (default: 5).")
    var folds: Int = 5

    @Option(help: "Fewest photos with a face on each side (positive, negative) for an attribute to be attempted (default: 10).")
    var minimum: Int = 10

    @Option(help: ArgumentHelp("Folder for the report and heads (default: out/eval/attributes).", valueName: "dir"))
    var output: String = Eval.defaultOutput("attributes")

    func validate() throws {
        if folds < 2 { throw ValidationError("--folds must be at least 2.") }
        if minimum < folds { throw ValidationError("--minimum must be at least --folds (\(folds)), so every fold can hold both sides.") }
    }

    func run() async throws {
        let root = celeba ?? Eval.dataRoot + "/celeba-attributes"
        let attributes: CelebAAttributes
        do { attributes = try CelebAAttributes(contentsOf: root + "/list_attr_celeba.txt") } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let analyzer = try global.makeAnalyzer(tasks: .embedding)
        var evaluation = AttributeEvaluation(attributes: attributes, images: root + "/images", source: root)
        evaluation.folds = folds
        evaluation.minimumPerSide = minimum
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
