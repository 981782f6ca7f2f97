import ArgumentParser
import Visage
import VisageEvaluation

struct EvalAttributesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attributes",
        abstract: "Per-attribute accuracy on CelebA's -1/1 labels, by cross-validation of heads on face features.",
        discussion: """
        For each of the 40 attributes with at least --minimum photos on each side (default: one \
        per outer fold), a binary head is scored by k-fold cross-validation by image (penalty \
        chosen inside each training part) against the majority answer and beside LNets+ANet's \
        published accuracy; the others are listed with the reason and counted at the majority \
        answer in the mean. --features sface-map-or-context (default): a ridge classifier on \
        SFace's bn1 map of the aligned crop, averaged over columns, alone or beside the map of a \
        crop twice as wide from the same landmarks (hair, hat, ears, neck), whichever the inner \
        cross-validation prefers for the attribute; sface-map: the aligned crop's alone; \
        sface-map-context: both, always (--mirror: each map averaged with its mirror image's). The \
        inner cross-validation picks the penalty \
        by squared error (--penalty-by accuracy: by answers right at 0, as before) and its \
        decision threshold (--threshold logistic: where a logistic fit to the inner out-of-fold \
        scores crosses 1/2; most-right: the cut most of them are right at; zero). --features \
        embedding: a softmax head on the 128-d SFace \
        embedding, and heads/<Attribute>.json trained on every photo for `visage analyze --head`.

        Examples:
          visage eval attributes
          visage eval attributes --celeba ../shared/data/celeba-attributes --folds 10
          visage eval attributes --features sface-map --seed 2   # the aligned crop only (the earlier default)
          visage eval attributes --threshold most-right --penalty-by accuracy --minimum 10   # the second pass's rules
          visage eval attributes --features embedding
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder with list_attr_celeba.txt and images/ (default: $VISAGE_DATA/celeba-attributes, else ../shared/data/celeba-attributes).", valueName: "dir"))
    var celeba: String?

    @Option(help: "Cross-validation folds.")
    var folds: Int = 5

    @Option(help: "Seed of the fold assignment (the inner folds use seed + 1).")
    var seed: UInt64 = 1

    @Option(help: "Fewest photos with a face on each side (positive, negative) for an attribute to be attempted (default: --folds, one per outer fold).")
    var minimum: Int?

    @Option(help: ArgumentHelp("What the heads read.", valueName: "features"))
    var features = AttributeEvaluation.Features.sfaceMapOrContext

    @Option(help: ArgumentHelp("Where the ridge heads' scores are cut, chosen on the inner out-of-fold scores.", valueName: "rule"))
    var threshold = AttributeEvaluation.Threshold.logistic

    @Option(name: .customLong("penalty-by"), help: ArgumentHelp("What the inner cross-validation ranks the ridge penalties by.", valueName: "merit"))
    var penaltyChoice = AttributeEvaluation.PenaltyChoice.squaredError

    @Flag(help: "Average each crop's pooled map with its mirror image's (one more SFace pass per photo).")
    var mirror = false

    @Flag(help: .hidden)
    var zeroThreshold = false  // the earlier spelling of --threshold zero

    @Option(help: ArgumentHelp("Folder for the report and heads.", valueName: "dir"))
    var output: String = Eval.defaultOutput("attributes")

    func validate() throws {
        if folds < 2 { throw ValidationError("--folds must be at least 2.") }
        if let minimum, minimum < folds { throw ValidationError("--minimum must be at least --folds (\(folds)), so every fold can hold both sides.") }
    }

    func run() async throws {
        let root = Eval.dataFolder(celeba, "celeba-attributes")
        let attributes: CelebAAttributes
        do { attributes = try CelebAAttributes(contentsOf: root + "/list_attr_celeba.txt") } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let chosen = features
        let analyzer = try global.makeAnalyzer(tasks: chosen == .embedding ? .embedding : .alignedCrop)
        var evaluation = AttributeEvaluation(attributes: attributes, images: root + "/images", source: root)
        evaluation.features = chosen
        evaluation.folds = folds
        evaluation.threshold = zeroThreshold ? .zero : threshold
        evaluation.penaltyChoice = penaltyChoice
        evaluation.averagesMirror = mirror
        evaluation.seed = seed
        evaluation.minimumPerSide = minimum ?? folds
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
