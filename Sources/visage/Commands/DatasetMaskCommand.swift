import ArgumentParser
import Foundation
import Visage
import VisageDataset

struct DatasetMaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Make a copy of a dataset in which a fraction of the images wear a rendered face mask.",
        discussion: """
        Images are chosen by a seeded hash of their path (the same each run); every detected \
        face of a chosen image gets a mask and the image is written at the same relative path \
        under OUT; the others, and chosen images without a face, are symbolic links. \
        OUT/mask-manifest.tsv lists what happened to each image. Masks are fitted to the five \
        landmarks (roll and head turn) and drawn to pass for real ones: each image gets one \
        style, chosen by a seeded hash of its path from --styles (default: all five: \
        surgical-blue, surgical-white, black-cloth, white-n95, patterned-cloth), in a seeded \
        look of its own (colour, print, fit, folds, ear loops), lit, blurred and grained like \
        the photo around the face. `visage dataset mask-preview --variants N` shows the looks.

        Examples:
          visage dataset mask ../shared/data/cfp/Data/Images /tmp/cfp-masked --ratio 0.5
          visage dataset mask faces faces-masked --ratio 1 --seed 7 --styles surgical-blue,white-n95
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The dataset, DIR/<identity>/**/*.jpg.", valueName: "in"))
    var source: String

    @Argument(help: ArgumentHelp("New or empty folder for the masked copy.", valueName: "out"))
    var output: String

    @Option(help: "Fraction of images to mask, 0 to 1.")
    var ratio: Double = 0.5

    @Option(help: "Seed of the choice of images.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Comma-separated mask styles to choose from (default: all).", valueName: "styles"))
    var styles: CommaSeparated<MaskStyle>?

    func validate() throws {
        guard (0...1).contains(ratio) else { throw ValidationError("--ratio must be between 0 and 1.") }
    }

    var chosenStyles: [MaskStyle] { styles?.values ?? MaskStyle.allCases }

    func run() async throws {
        var errors = 0
        try await DatasetTool.run {
            try DatasetTool.requireOutside(output, of: source)
            try FileInPlaceOfFolder.check(output)  // before the models load
            let skipped = try DatasetTool.walkInput(source)
            let analyzer = try global.makeAnalyzer(tasks: [])
            let copy = MaskedCopy(source: source, output: output, ratio: ratio, seed: seed, styles: chosenStyles)
            var progress = Progress()
            let summary = try await copy.run(analyzer: analyzer) { progress.update($0, $1, $2) }
            progress.finish()
            print("\(summary.images) images: \(summary.masked) masked, \(summary.linked) linked, \(summary.withoutFace) chosen without a face (linked), \(summary.errors) unreadable")
            print("manifest: \(output)/\(MaskedCopy.manifestName)")
            errors = summary.errors + skipped
        }
        if errors > 0 { throw VisageExitCode.badInput }
    }
}
