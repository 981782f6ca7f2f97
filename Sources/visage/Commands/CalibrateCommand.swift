import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageGallery
import VisageJSON

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure genuine and impostor similarity distributions and propose thresholds: on CFP, or as a pilot on your own photos.",
        discussion: """
        Protocol folders (a pilot on your own photos, before a gallery goes live): DIR holds one \
        folder per person (<person>/*.jpg; photos may sit in subfolders, e.g. masked/ and \
        unmasked/). Every photo is analysed once (largest face); every pair of photos is decided \
        as `visage verify` decides it (per mask condition); a temporary gallery is enrolled from \
        up to --enrolment-photos photos per person (bare faces first) and searched with the \
        others, and every photo is searched as a stranger against everyone but its own person. \
        The report (report.md, report.json, pairs.csv and review.html, the pairs to review \
        with their faces side by side, in --output) gives false match and \
        non-match rates at the thresholds in use, thresholds at FMR 1e-2..1e-4 and FPIR 1e-2, \
        1e-3, proposed gallery thresholds at --target-rate, and the pairs a person should look \
        at first (the highest-scoring impostors, the lowest-scoring genuine pairs: label \
        mistakes and duplicates move thresholds most). It changes nothing: a reviewed choice is \
        stored with `visage gallery threshold --set T --note TEXT`, and --gallery G measures at \
        the thresholds G decides with. Exit 3 when a photo cannot \
        be read (the others are still measured).

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
          visage calibrate --protocol folders pilot-photos/
          visage calibrate --protocol folders --target-rate 1e-2 --output out/pilot pilot-photos/
          visage calibrate --protocol folders --gallery staff.gallery pilot-photos/
          visage calibrate --protocol folders --groups pilot-groups.csv pilot-photos/
        """
    )

    @OptionGroup var global: GlobalOptions

    /// The protocols `calibrate` knows.
    enum CalibrationProtocol: String, ExpressibleByArgument, CaseIterable {
        case cfp, folders
    }

    @Option(help: "The protocol: cfp (CFP's celebrities) or folders (your own photos, <person>/*.jpg).")
    var `protocol` = CalibrationProtocol.cfp

    @Option(name: .customLong("output"), help: ArgumentHelp("Folder for the reports (cfp: the embedding cache and thresholds.json; default out/calibration; folders: default out/calibration/<name of DIR>).", valueName: "dir"))
    var outputOption: String?

    @Argument(help: "cfp: the CFP folder (holding Data/ and Protocol/; default: $VISAGE_DATA/cfp or ../shared/data/cfp). folders: your photos, one folder per person.")
    var dataset: String?

    @Option(help: ArgumentHelp("folders: the false-positive identification rate proposed thresholds aim at (default 1e-3, as the calibrated defaults).", valueName: "rate"))
    var targetRate: Double = 1e-3

    @Option(help: ArgumentHelp("folders: a CSV of person,group lines (person: the folder's name): false match and non-match rates, identification and FPIR per group, your own bias check.", valueName: "file"))
    var groups: String?

    @Option(help: ArgumentHelp("folders: photos enrolled per person, at most (default 5).", valueName: "n"))
    var enrolmentPhotos = 5

    @Option(help: ArgumentHelp("folders: the gallery threshold in use to measure at (default: the --gallery's, else the calibrated 0.4952).", valueName: "similarity"))
    var threshold: Float?

    @Option(name: .customLong("gallery"), help: ArgumentHelp("folders: measure at the thresholds this gallery decides with (reviewed ones included; the gallery is only read).", valueName: "file|url"))
    var galleryLocation: String?

    @Option(help: ArgumentHelp("With --gallery: the key of its encrypted templates (default: $VISAGE_GALLERY_KEY).", valueName: "file"))
    var keyFile: String?

    @Option(help: ArgumentHelp("folders: the same for masked probes (default: the --gallery's, else the calibrated 0.4559).", valueName: "similarity"))
    var maskedThreshold: Float?

    var output: String { outputOption ?? "out/calibration" }

    func validate() throws {
        try validateSimilarity(threshold, "--threshold")
        try validateSimilarity(maskedThreshold, "--masked-threshold")
        guard targetRate > 0 && targetRate < 1 else { throw ValidationError("--target-rate must be above 0 and below 1, for example 1e-3.") }
        guard enrolmentPhotos >= 1 else { throw ValidationError("--enrolment-photos must be 1 or more.") }
        if `protocol` == .folders {
            guard dataset != nil else { throw ValidationError("--protocol folders needs the folder of your photos (one folder per person).") }
        } else if threshold != nil || maskedThreshold != nil || targetRate != 1e-3 || enrolmentPhotos != 5 || galleryLocation != nil || groups != nil {
            throw ValidationError("--target-rate, --enrolment-photos, --threshold, --masked-threshold, --gallery and --groups go with --protocol folders.")
        }
        if keyFile != nil && galleryLocation == nil { throw ValidationError("--key-file goes with --gallery.") }
    }

    func run() async throws {
        if `protocol` == .folders { return try await runFolders(dataset!) }
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

    /// The pilot on the user's own photos.
    private func runFolders(_ root: String) async throws {
        let output = outputOption ?? "out/calibration/" + URL(fileURLWithPath: root).standardized.lastPathComponent
        // A gallery's thresholds as it decides now (the command line's, then reviewed, then calibrated).
        var inUse: Gallery.Thresholds?
        if let galleryLocation {
            var options = try GalleryOptions.parse(["--gallery", galleryLocation] + (keyFile.map { ["--key-file", $0] } ?? []))
            options.threshold = threshold
            options.maskedThreshold = maskedThreshold
            inUse = try await options.thresholds()
        }
        try await Eval.run(json: global.json, output: output, alsoWritten: ["pairs.csv", "review.html"]) { progress in
            var pilot = FolderPilot(folders: try PeopleFolders(root: root))
            if let groups {
                pilot.groups = try PeopleFolders.groups(csv: groups)
                let unknown = Set(pilot.groups.keys).subtracting(pilot.folders.people.map(\.name))
                if !unknown.isEmpty {
                    printError("warning: \(unknown.count) \(unknown.count == 1 ? "person" : "people") in \(groups) \(unknown.count == 1 ? "has" : "have") no folder here, e.g. \(unknown.sorted()[0])")
                }
            }
            pilot.targetRate = targetRate
            pilot.enrolmentPhotos = enrolmentPhotos
            pilot.galleryThreshold = inUse?.threshold ?? threshold
            pilot.maskedGalleryThreshold = inUse?.maskedThreshold ?? maskedThreshold
            let analyzer = try global.makeAnalyzer(tasks: Gallery.analyzerTasks, imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
            return try await pilot.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }

    static var defaultCFP: String {
        if let data = ProcessInfo.processInfo.environment["VISAGE_DATA"], !data.isEmpty { return data + "/cfp" }
        return "../shared/data/cfp"
    }
}
