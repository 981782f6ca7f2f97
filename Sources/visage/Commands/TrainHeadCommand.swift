import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageHeads
import VisageJSON

struct TrainHeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-head",
        abstract: "Train a custom head (your own labels) on face features from a folder of labelled photos.",
        discussion: """
        DIR holds one folder per label (DIR/<label>/*.jpg); the largest face of each photo is \
        used. The head is a multinomial logistic regression (L2 penalty chosen by k-fold \
        cross-validation unless --l2 is given; labels balanced) on the face's SFace identity \
        embedding, or with --features fabnet on its FAb-Net attribute embedding (pose and \
        expression; needs fabnet-encoder.onnx, docs/models/fabnet-encoder.md). It prints the \
        held-out-fold accuracy and writes the head, with that report, as JSON for \
        `visage analyze --head`.

        A photo without a face is skipped and listed. A photo that cannot be read is skipped \
        and named with the reason; the head is still written from the others, and the exit \
        code is 3, as for analyze's and the dataset tools' unreadable images.

        --utkface DIR --attribute gender|race|age trains instead on UTKFace's training part \
        (the fixed split of docs/evaluation.md; the held-out part is never read), labels from \
        the file names (AGE_GENDER_RACE_DATE.jpg.chip.jpg). The age head is a softmax over \
        twelve age bands, read out as the probability-weighted mean age. --embeddings-cache \
        keeps each photo's embedding so the three attributes embed the photos once.

        Examples:
          visage train-head --folders my-labels --out helmet.json
          visage train-head --folders masks --out masks.json --folds 10 --l2 0.01
          visage train-head --folders expressions --features fabnet --out expression.json
          visage train-head --utkface ../shared/data/utkface --attribute gender --out utkface-gender.json --embeddings-cache out/utkface-embeddings.tsv
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Folder with one sub-folder of photos per label.", valueName: "dir"))
    var folders: String?

    @Option(help: ArgumentHelp("Instead of --folders: a UTKFace folder; trains on its training part, labels from the file names.", valueName: "dir"))
    var utkface: String?

    @Option(help: "With --utkface: the label to learn.")
    var attribute: UTKFaceAttribute?

    @Option(help: ArgumentHelp("With --utkface: a file that keeps each photo's embedding between runs (default: none).", valueName: "file.tsv"))
    var embeddingsCache: String?

    @Option(help: ArgumentHelp("Where to write the head (JSON).", valueName: "head.json"))
    var out: String

    @Option(help: "The head's name in analyze's output (default: --out's file name without .json).")
    var name: String?

    @Option(help: "Face features to train on.")
    var features = FaceFeatures.sface

    @Option(help: "Fixed L2 penalty (default: the best of 0.001, 0.01, 0.1, 1, 10 by cross-validation).")
    var l2: Double?

    @Option(help: "Cross-validation folds.")
    var folds: Int = 5

    @Option(help: "Seed of the fold shuffle.")
    var seed: UInt64 = 1

    @Flag(help: "Do not balance labels in the loss (default: each label weighs the same).")
    var noBalance = false

    func validate() throws {
        if (folders == nil) == (utkface == nil) { throw ValidationError("Give either --folders or --utkface.") }
        if utkface != nil {
            guard attribute != nil else {
                throw ValidationError("--utkface needs --attribute, one of: \(UTKFaceAttribute.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        } else if attribute != nil || embeddingsCache != nil {
            throw ValidationError("--attribute and --embeddings-cache go with --utkface.")
        }
        if utkface != nil, features != .sface {
            throw ValidationError("--utkface trains on SFace features only (its embedding cache holds SFace embeddings); --features \(features.rawValue) goes with --folders.")
        }
        if folds < 2 { throw ValidationError("--folds must be at least 2.") }
        if let l2, !(l2 >= 0) { throw ValidationError("--l2 must be zero or more.") }
    }

    func run() async throws {
        if let embeddingsCache, !ImageEmbeddings.isCacheOrMissing(embeddingsCache) {
            printError("Error: \(embeddingsCache) exists and is not an embeddings cache; give --embeddings-cache a new file name or a cache an earlier run wrote.")
            throw VisageExitCode.badInput
        }
        let featureKind = features
        let headName = name ?? ((out as NSString).lastPathComponent as NSString).deletingPathExtension
        let trainer = HeadTrainer(features: featureKind, l2: l2, balancesClasses: !noBalance,
                                  crossValidation: CrossValidation(folds: folds, seed: seed))
        let head: FaceHead
        if let utkface, let attribute {
            let training: UTKFaceHeadTraining
            do { training = UTKFaceHeadTraining(attribute: attribute, dataset: try UTKFaceDataset(root: utkface, part: .training)) } catch {
                printError("Error: " + (error.errorDescription ?? "\(error)"))
                throw VisageExitCode.badInput
            }
            let analyzer = try global.makeAnalyzer(tasks: featureKind.tasks)
            var progress = Progress(total: training.labelled.count)
            do {
                head = try await training.train(name: headName, trainer: trainer, analyzer: analyzer, cachePath: embeddingsCache) { _, _, path in progress.advance(path) }
            } catch {
                throw CommandFailure(error.errorDescription ?? "\(error)")
            }
            if !training.dataset.unlabelled.isEmpty {
                printError("Skipped \(training.dataset.unlabelled.count) file(s) whose names carry no UTKFace labels, e.g. \(training.dataset.unlabelled[0])")
            }
        } else {
            let photos: LabelledPhotos
            do { photos = try LabelledPhotos(folder: folders ?? "") } catch {
                printError("Error: " + (error.errorDescription ?? "\(error)"))
                throw VisageExitCode.badInput
            }
            let analyzer = try global.makeAnalyzer(tasks: featureKind.tasks)
            var progress = Progress(total: photos.paths.count)
            do {
                head = try await trainer.train(name: headName, photos: photos, analyzer: analyzer) { _, _, path in progress.advance(path) }
            } catch {
                throw CommandFailure(error.errorDescription ?? "\(error)")
            }
        }
        do { try head.write(to: out) } catch { throw CommandFailure(error.errorDescription ?? "\(error)") }
        let t = head.training
        let unreadable = t.skipped.filter(\.reason.isUnreadable)
        if global.json {
            print(JSONValue.object([
                ("head", .string(out)), ("name", .string(head.name)),
                ("labels", .object(zip(head.labels, t.examples).map { ($0, .integer($1)) })),
                ("skipped", .integer(t.skipped.count)), ("folds", .integer(t.folds)), ("l2", .number(Float(t.l2), decimals: 4)),
                ("crossValidatedAccuracy", .number(Float(t.crossValidatedAccuracy), decimals: 4)),
                ("crossValidatedBalancedAccuracy", .number(Float(t.crossValidatedBalancedAccuracy), decimals: 4)),
                ("majorityBaseline", .number(Float(t.majorityBaseline), decimals: 4)),
                ("unreadable", .array(unreadable.map { .object([("image", .string($0.path)), ("error", .string($0.reason.description))]) })),
            ]).rendered)
        } else {
            print("head \"\(head.name)\" on \(head.features.name.rawValue) features (\(head.features.model)) written to \(out)")
            for (i, label) in head.labels.enumerated() {
                print(String(format: "  %@: %d photos, held-out recall %.1f%%", label, t.examples[i], 100 * t.crossValidatedRecall[i]))
            }
            if !t.skipped.isEmpty {
                print("  skipped \(t.skipped.count) photo\(t.skipped.count == 1 ? "" : "s") (listed in the head file): " + t.skipped.prefix(3).map { "\($0.path) (\($0.reason))" }.joined(separator: ", ") + (t.skipped.count > 3 ? ", …" : ""))
            }
            print(String(format: "  %d-fold cross-validated accuracy %.1f%% (balanced %.1f%%; always the commonest label: %.1f%%), L2 %g",
                         t.folds, 100 * t.crossValidatedAccuracy, 100 * t.crossValidatedBalancedAccuracy, 100 * t.majorityBaseline, t.l2))
            for photo in unreadable { printError("\(photo.path): \(photo.reason)") }
        }
        // As analyze, enroll and the dataset tools do: what could be used was used (the head is
        // written), and an unreadable photo is bad input. A photo without a face is not: the
        // dataset tools count it and exit 0, and a labelled folder often holds a few.
        if !unreadable.isEmpty { throw VisageExitCode.badInput }
    }
}
