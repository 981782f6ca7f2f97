import ArgumentParser
import VisageEvaluation

struct EvalAttributesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attributes",
        abstract: "Per-attribute accuracy on CelebA's -1/1 labels (needs an attribute model; none exists yet).",
        discussion: """
        Reads list_attr_celeba.txt and checks it; per-attribute accuracy will follow once Visage \
        predicts CelebA attributes. Until then it reports the data and exits 1, with no numbers.

        Examples:
          visage eval attributes
          visage eval attributes --celeba ../shared/data/celeba-attributes
        """
    )

    @Option(help: ArgumentHelp("Folder with list_attr_celeba.txt and images/ (default: $VISAGE_DATA/celeba-attributes, else ../shared/data/celeba-attributes).", valueName: "dir"))
    var celeba: String?

    func run() async throws {
        let root = celeba ?? Eval.dataRoot + "/celeba-attributes"
        let attributes: CelebAAttributes
        do { attributes = try CelebAAttributes(contentsOf: root + "/list_attr_celeba.txt") } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        EvalUnavailable.report(task: "CelebA attribute", data: "\(attributes.labels.count) labelled images with \(attributes.names.count) attributes in \(root)")
        throw ExitCode.failure
    }
}
