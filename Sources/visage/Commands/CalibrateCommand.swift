import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageJSON

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure genuine and impostor similarity distributions and write thresholds for FAR 1e-2, 1e-3, 1e-4.",
        discussion: """
        Protocol cfp: embeds CFP's 7,000 photos (the largest face of each; cached in the output \
        folder, so a second run takes seconds), then measures
          - pairs: the standard FF and FP protocols (10 folds × 350 genuine + 350 impostor pairs each);
          - open set: identities 251–500 enrolled from frontal photos 01–05, and every photo of \
            identities 001–250 searched as a stranger; an impostor score is a stranger's best \
            similarity to anyone in the gallery (its maximum), the score a 1:N search compares \
            with the threshold.
        The open-set threshold at 1e-3 is the gallery's default. Then it runs the open-set \
        identification protocol on the other half: identities 001–250 enrolled from frontal \
        01–05, searched with their frontal 06–10 and profiles (rank-1 accuracy, identified at \
        the threshold), and every photo of 251–500 as strangers (share rejected as unknown) — \
        so the strangers it reports on are not the ones it calibrated on. It reports that at \
        the compiled-in default and at each threshold just measured.

        Examples:
          visage calibrate --protocol cfp ../shared/data/cfp
          visage calibrate --protocol cfp --output out/calibration --json ../shared/data/cfp
        """
    )

    @OptionGroup var global: GlobalOptions

    /// The protocols `calibrate` knows.
    enum CalibrationProtocol: String, ExpressibleByArgument, CaseIterable {
        case cfp
    }

    @Option(help: "The evaluation protocol.")
    var `protocol` = CalibrationProtocol.cfp

    @Option(help: ArgumentHelp("Folder for the embedding cache and thresholds.json.", valueName: "dir"))
    var output = "out/calibration"

    @Argument(help: "The CFP folder (holding Data/ and Protocol/); default: $VISAGE_DATA/cfp or ../shared/data/cfp.")
    var dataset: String?

    func run() async throws {
        let cfp: CFPDataset
        do { cfp = try CFPDataset(path: dataset ?? Self.defaultCFP) } catch { throw ValidationError(error.localizedDescription) }
        let analyzer = try global.makeAnalyzer(tasks: [.embedding])
        let calibration = try await CFPCalibration.run(cfp, embeddings: try await embeddings(of: cfp, analyzer: analyzer))
        let file = URL(fileURLWithPath: output).appendingPathComponent("thresholds.json")
        try Data((calibration.json.rendered + "\n").utf8).write(to: file)
        if global.json {
            print(calibration.json.rendered)
        } else {
            print(calibration.text)
            print("written: \(file.path)")
        }
    }

    /// CFP's embeddings, with progress on stderr and the time taken by those not cached.
    private func embeddings(of cfp: CFPDataset, analyzer: FaceAnalyzer) async throws -> [String: [Float]?] {
        var progress = Progress(total: global.json ? 1 : cfp.allImages.count)
        let clock = ContinuousClock(), start = clock.now
        let found = try await cfp.embeddings(analyzer: analyzer, cacheDirectory: output) { _, _, path in progress.advance(path) }
        if let bad = found.unreadable.first {
            throw ValidationError("\(found.unreadable.count) CFP images could not be read, e.g. \(bad.path): \(bad.error)")
        }
        if found.computed > 0 {
            let seconds = (clock.now - start).seconds
            printError(String(format: "embedded %d CFP images in %.0f s (%.1f images/s); cached in %@", found.computed, seconds, Double(found.computed) / seconds, output))
        }
        return found.byImage
    }

    static var defaultCFP: String {
        if let data = ProcessInfo.processInfo.environment["VISAGE_DATA"], !data.isEmpty { return data + "/cfp" }
        return "../shared/data/cfp"
    }
}
