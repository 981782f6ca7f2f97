import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageCore
import VisageModels
import VisageRuntime

/// Feature extractors a probe can read expression from.
enum ProbeFeatures: String, ExpressibleByArgument, CaseIterable {
    case sface, fabnet
}

struct EvalProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Expression read off frozen embeddings (SFace, FAb-Net) by the same linear head, on CK+ and FER2013.",
        discussion: """
        Each 48×48 crop is resized whole to 112×112 and embedded (no detection: every extractor \
        sees the same pixels). The head is the one `visage train-head` fits: multinomial \
        logistic regression on standardised features, balanced classes, L2 0.01, L-BFGS (the \
        same for every extractor; nothing tuned on a test split). CK+: 10 folds split by subject (S###), predictions pooled. FER2013: trained \
        on a seeded sample of train (--fer-train images), tested on all of PublicTest. Writes \
        report.md and report.json to --output.

        Examples:
          visage eval probe
          visage eval probe --features fabnet --fer-train 28709 --output out/eval/probe-full
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(parsing: .upToNextOption, help: "Feature extractors to compare.")
    var features: [ProbeFeatures] = [.sface, .fabnet]

    @Option(help: ArgumentHelp("CK+ class folders (default: $VISAGE_DATA/ckplus48).", valueName: "dir"))
    var ckplus: String?

    @Option(help: ArgumentHelp("FER2013 folder holding train/ and publictest/ (default: $VISAGE_DATA/fer2013).", valueName: "dir"))
    var fer: String?

    @Option(help: "FER2013 training images for the head, a seeded sample.")
    var ferTrain: Int = 10_000

    @Flag(help: "CK+ only: skip FER2013 (about 9,000 images to embed per extractor).")
    var ckplusOnly = false

    @Option(help: ArgumentHelp("Folder for the report.", valueName: "dir"))
    var output: String = Eval.defaultOutput("probe")

    func run() async throws {
        let ckRoot = Eval.dataFolder(ckplus, "ckplus48")
        let ferRoot = Eval.dataFolder(fer, "fer2013")
        let ck: ClassFolderDataset, ferTrainSet: ClassFolderDataset, ferTest: ClassFolderDataset
        do {
            ck = try ClassFolderDataset(root: ckRoot, hint: "Point --ckplus at CK+'s class folders, e.g. ../shared/data/ckplus48.")
            ferTrainSet = try ClassFolderDataset(root: ferRoot + "/train", hint: "Point --fer at FER2013's folder holding train/ and publictest/.")
            ferTest = try ClassFolderDataset(root: ferRoot + "/publictest", hint: "Point --fer at FER2013's folder holding train/ and publictest/.")
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let models = global.analyzerConfiguration(tasks: []).models
        let runtime = try OnnxRuntime.shared(global.analyzerConfiguration(tasks: []).runtime)
        var rows: [(features: ProbeFeatures, ck: ClassificationMetrics, fer: ClassificationMetrics?)] = []
        for kind in features {
            let embed: @Sendable ([VisageCore.Image]) throws -> [[Float]]
            do {
                switch kind {
                case .sface:
                    try global.permit(SFaceEmbedder.card)
                    let model = try SFaceEmbedder(directory: models, runtime: runtime)
                    embed = { try model.embed($0) }
                case .fabnet:
                    try global.permit(FabNetEncoder.card)
                    let model = try FabNetEncoder(directory: models, runtime: runtime)
                    embed = { try model.embed($0) }
                }
            } catch {
                throw CommandFailure(FaceReport.message(for: error))
            }
            let probe = ExpressionProbe(embed: embed)
            let total = ck.samples.count + (ckplusOnly ? 0 : min(ferTrain, ferTrainSet.samples.count) + ferTest.samples.count)
            let ckMetrics = try probe.subjectFolds(ck) { printProgress(kind, $0, total) }
            let ferMetrics = ckplusOnly ? nil
                : try probe.trainTest(train: ferTrainSet, test: ferTest, trainLimit: ferTrain) { printProgress(kind, ck.samples.count + $0, total) }
            rows.append((kind, ckMetrics, ferMetrics))
        }
        func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
        func meanRecall(_ m: ClassificationMetrics) -> Double { (0..<m.confusion.count).map(m.recall(of:)).reduce(0, +) / Double(m.confusion.count) }
        var markdown = """
        | features | CK+ accuracy (10 subject folds, \(ck.samples.count) images) | CK+ mean recall | FER2013 PublicTest accuracy (head on \(ckplusOnly ? 0 : min(ferTrain, ferTrainSet.samples.count)) train images) | FER2013 mean recall |
        |---|---|---|---|---|

        """
        for row in rows {
            markdown += "| \(row.features.rawValue) | \(percent(row.ck.accuracy)) | \(percent(meanRecall(row.ck))) | "
                + (row.fer.map { "\(percent($0.accuracy)) | \(percent(meanRecall($0))) |" } ?? "not run | not run |") + "\n"
        }
        let json: [[String: Any]] = rows.map { row in
            var entry: [String: Any] = ["features": row.features.rawValue, "ckplus_accuracy": row.ck.accuracy, "ckplus_mean_recall": meanRecall(row.ck),
                                        "ckplus_confusion": row.ck.confusion, "ckplus_classes": ck.classes]
            if let fer = row.fer {
                entry["fer2013_publictest_accuracy"] = fer.accuracy
                entry["fer2013_publictest_mean_recall"] = meanRecall(fer)
                entry["fer2013_confusion"] = fer.confusion
                entry["fer2013_train_images"] = min(ferTrain, ferTrainSet.samples.count)
                entry["fer2013_classes"] = ferTest.classes
            }
            return entry
        }
        // An object with a `kind`, like every other eval's report, so that `visage eval readme`
        // (which reads every out/eval/*/report.json) can tell it is not one it prints.
        let report: [String: Any] = ["kind": "probe", "features": json]
        try Eval.writeReport([("report.md", Data(markdown.utf8)),
                              ("report.json", try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]))], to: output)
        print(markdown, terminator: "")
    }

    private func printProgress(_ kind: ProbeFeatures, _ done: Int, _ total: Int) {
        if done % 512 < 64 { printError("\(kind.rawValue): \(done)/\(total) images embedded") }
    }
}
