import ArgumentParser
import Foundation
import Visage
import VisageDataset

struct DatasetCropsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crops",
        abstract: "Write the aligned 112×112 crop of each image's largest face, as the pipeline makes it (training data).",
        discussion: """
        Every image under IN/<folder>/ is analysed (YuNet, five-landmark alignment onto the \
        ArcFace template) and the crop of its largest face is written as OUT/<same path>.png. \
        OUT/crops-manifest.tsv records each image as face, noface or error. This is how the \
        mask classifier's training crops were made (training/mask/README.md).

        Examples:
          visage dataset crops ../shared/data/masks /tmp/mask-crops
          visage dataset crops faces faces-crops --threads 1
          visage dataset crops /tmp/cfp-masked /tmp/cfp-masked-crops --fallback-score 0.3
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The dataset, DIR/<folder>/**/*.jpg.", valueName: "in"))
    var source: String

    @Argument(help: ArgumentHelp("New or empty folder for the crops.", valueName: "out"))
    var output: String

    @Option(help: ArgumentHelp("Keep an image's best face down to this detector score when none reaches the usual 0.7 (default: off); masked or turned faces score low.", valueName: "score"))
    var fallbackScore: Float?

    func validate() throws {
        if let fallbackScore, !(fallbackScore > 0 && fallbackScore < 0.7) { throw ValidationError("--fallback-score must be above 0 and below the detector's 0.7.") }
    }

    func run() async throws {
        var errors = 0
        try await DatasetTool.run {
            try DatasetTool.requireOutside(output, of: source)
            try FileInPlaceOfFolder.check(output)  // before the models load
            let skipped = try DatasetTool.walkInput(source)
            let analyzer = try global.makeAnalyzer(tasks: [.alignedCrop], fallbackScore: fallbackScore)
            var progress = Progress()
            let summary = try await AlignedCrops(source: source, output: output).run(analyzer: analyzer) { progress.update($0, $1, $2) }
            progress.finish()
            print("\(summary.images) images: \(summary.cropped) cropped, \(summary.withoutFace) without a face, \(summary.errors) unreadable")
            print("manifest: \(output)/\(AlignedCrops.manifestName)")
            errors = summary.errors + skipped
        }
        if errors > 0 { throw VisageExitCode.badInput }
    }
}
