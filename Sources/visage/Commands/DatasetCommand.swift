import ArgumentParser
import Foundation
import VisageDataset

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Tools for training data: clean, mask and noisy copies of identity folders; Q&A pairs from labelled photos.",
        discussion: """
        The identity-folder tools walk DIR/<identity>/**/*.{jpg,jpeg,png,webp} in byte order of the path, show \
        progress on stderr and never writes into DIR: caches, reports and copies go to the \
        folders you name. An unreadable image is recorded with its error and the run goes on; \
        the exit code is then 3. A missing DIR, or a file in its place, exits 3 at once.

        Examples:
          visage dataset clean ../shared/data/cfp/Data/Images --cache out/clean/cfp --html out/clean/cfp/html
          visage dataset noisy-copy ../shared/data/cfp/Data/Images /tmp/cfp-noisy --wrong 0.05 --split 10 --seed 1
          visage dataset qa ../shared/data --out qa.jsonl --limit 1000 --seed 3
        """,
        subcommands: [DatasetCleanCommand.self, DatasetNoisyCopyCommand.self, DatasetMaskCommand.self, DatasetMaskPreviewCommand.self, DatasetCropsCommand.self, DatasetQACommand.self]
    )
}

/// Shared by the `dataset` subcommands.
enum DatasetTool {
    /// Runs `body`; a ``DatasetError`` prints its message and exits 3 (bad input) or 1 (an
    /// output that cannot be written).
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as DatasetError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            switch error {
            case .unwritable: throw ExitCode.failure
            default: throw VisageExitCode.badInput
            }
        }
    }

    /// Walks the input before the models load (a bad IN fails at once) and reports the folders
    /// it had to skip; returns how many.
    static func walkInput(_ root: String) throws(DatasetError) -> Int {
        let listing = try DatasetWalker(root: root).walk()
        for folder in listing.unreadableFolders { printError("\(folder.path): \(folder.reason); its images are skipped") }
        return listing.unreadableFolders.count
    }

    /// Refuses an output path inside the dataset.
    static func requireOutside(_ output: String?, of input: String) throws(DatasetError) {
        guard let output else { return }
        let o = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        let i = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
        if o == i || o.hasPrefix(i + "/") { throw .outputInsideInput(output: output, input: input) }
    }
}
