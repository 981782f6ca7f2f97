import ArgumentParser
import Foundation
import VisageDataset

struct DatasetNoisyCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noisy-copy",
        abstract: "Make a copy of a dataset, as symbolic links, with planted label noise and a ground-truth manifest.",
        discussion: """
        First --split identities are each split in two (a random half moves to a new folder \
        split-NN: a planted duplicate), then a --wrong fraction of all images moves into another \
        person's folder (planted outliers). OUT/noisy-manifest.json records every move; give it \
        to `visage dataset clean --truth` to score the cleaner. The same --seed gives the same copy.

        Examples:
          visage dataset noisy-copy ../shared/data/cfp/Data/Images /tmp/cfp-noisy --wrong 0.05 --split 10 --seed 1
          visage dataset noisy-copy faces /tmp/faces-noisy --wrong 0.02 --split 0
        """
    )

    @Argument(help: ArgumentHelp("The dataset, DIR/<identity>/**/*.jpg.", valueName: "dir"))
    var source: String

    @Argument(help: ArgumentHelp("New or empty folder for the copy (links, never copies).", valueName: "out"))
    var output: String

    @Option(help: "Fraction of images moved into a wrong identity.")
    var wrong: Double = 0.05

    @Option(help: "Identities split into two folders.")
    var split: Int = 10

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (0...1).contains(wrong) else { throw ValidationError("--wrong must be between 0 and 1.") }
        guard split >= 0 else { throw ValidationError("--split must be 0 or more.") }
    }

    func run() async throws {
        var skipped = 0
        try await DatasetTool.run {
            try DatasetTool.requireOutside(output, of: source)
            try FileInPlaceOfFolder.check(output)  // before the models load
            skipped = try DatasetTool.walkInput(source)
            let manifest = try NoisyCopy(source: source, wrongFraction: wrong, splitCount: split, seed: seed).plan()
            try manifest.write(to: output)
            print("\(manifest.images.count) images linked into \(output): \(manifest.moved.count) moved to a wrong identity, \(manifest.splits.count) identities split")
            print("ground truth: \(output)/\(NoisyCopy.manifestName)")
        }
        if skipped > 0 { throw VisageExitCode.badInput }
    }
}
