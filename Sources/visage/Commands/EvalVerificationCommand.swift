import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalVerificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verification",
        abstract: "Face verification accuracy on CFP or a CSV pair list: k-fold accuracy, TAR at FAR, EER, ROC.",
        discussion: """
        Each image is embedded once (largest face); a pair with an image without a face scores \
        −1 and is counted. Accuracy is 10-fold: each fold's threshold is the best one on the \
        other nine. CFP uses its standard split; a CSV gets 10 stratified folds in file order. \
        Embeddings are cached in <output>/embeddings.tsv, so a re-run takes seconds.

        --mask one|both draws a synthetic mask (one of five styles, seeded per image) on the \
        second image of each pair, or on both, and runs the whole pipeline on the masked photo. \
        When the mask classifier calls exactly one face of a pair masked, --mask-matching offset \
        subtracts the mean embedding offset that a mask causes (learnt without labels from bare \
        faces rendered with masks in three styles, as enrolment would) from the masked face, \
        and --mask-matching templates compares the masked face with those three renderings of \
        the bare one and keeps the best cosine. --mask-matching attention compares both faces \
        through the masked-face attention head when either is called masked (it was trained on \
        CFP identities 001–400: evaluate it on --folds 9,10). The per-image measurements are cached in \
        --mask-cache, shared by all the runs.

        Examples:
          visage eval verification --protocol cfp-ff
          visage eval verification --protocol cfp-ff --mask one --mask-matching templates
          visage eval verification --protocol cfp-ff --folds 9,10 --mask one --mask-matching attention --fallback-score 0.3
          visage eval verification --protocol cfp-ff --mask one --fallback-score 0.3
          visage eval verification --pairs-csv ../shared/data/pairs-deepface/pairs.csv --images ../shared/data/pairs-deepface/images
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("protocol"), help: ArgumentHelp("CFP protocol: cfp-ff (frontal–frontal) or cfp-fp (frontal–profile).", valueName: "name"))
    var protocolName: String?

    @Option(help: ArgumentHelp("The CFP folder, with Data/ and Protocol/ (default: $VISAGE_DATA/cfp, else ../shared/data/cfp).", valueName: "dir"))
    var cfp: String?

    @Option(help: ArgumentHelp("CFP folds to use, 1-based and comma-separated (default: all ten).", valueName: "list"))
    var folds: String?

    @Option(help: ArgumentHelp("A CSV pair list file_x,file_y,Decision (Yes/No).", valueName: "file"))
    var pairsCsv: String?

    @Option(help: ArgumentHelp("Photos with real masks, <person>/{masked,unmasked}/*.jpg: masked-vs-unmasked and unmasked-vs-unmasked pairs decided as `visage verify` decides them.", valueName: "dir"))
    var folders: String?

    @Option(help: ArgumentHelp("Folder the CSV's image names are relative to (default: images/ beside the CSV).", valueName: "dir"))
    var images: String?

    @Option(help: "Fixed threshold whose accuracy is also reported (default: 0.303, Visage's default).")
    var threshold: Float = Verification.defaultThreshold

    @Option(help: ArgumentHelp("Folder for report.md, report.json, scores.csv, roc.svg/png and the embedding cache (default: out/eval/<name>).", valueName: "dir"))
    var output: String?

    @Flag(help: "Embed every image again instead of reusing <output>/embeddings.tsv.")
    var noCache = false

    @Option(help: ArgumentHelp("Keep an image's best face down to this detector score when none reaches the usual 0.7 (default: off). A mask or a turned head lowers YuNet's score; without this such an image has no face and its pairs score −1.", valueName: "score"))
    var fallbackScore: Float?

    @Option(help: ArgumentHelp("Synthetic masks: none, one (second image of each pair) or both (default: no masking at all, the plain benchmark).", valueName: "side"))
    var mask: String?

    @Option(help: ArgumentHelp("With --mask: how a masked face is compared with a bare one: plain, offset, templates or attention (default: plain).", valueName: "method"))
    var maskMatching: String = MaskMatching.plain.rawValue

    @Option(help: "With --mask: seed of the per-image mask style (default: 1).")
    var maskSeed: UInt64 = 1

    @Option(help: ArgumentHelp("With --mask: file caching the per-image measurements (default: out/eval/<name>-masks.tsv).", valueName: "file"))
    var maskCache: String?

    func validate() throws {
        if folders != nil { return try validateFolders() }
        guard (protocolName == nil) != (pairsCsv == nil) else {
            throw ValidationError("Give either --protocol cfp-ff|cfp-fp or --pairs-csv FILE.")
        }
        if let protocolName, CFPProtocol(rawValue: protocolName) == nil {
            throw ValidationError("--protocol must be cfp-ff or cfp-fp, not \(protocolName).")
        }
        if pairsCsv != nil, cfp != nil || folds != nil { throw ValidationError("--cfp and --folds go with --protocol, not --pairs-csv.") }
        if protocolName != nil, images != nil { throw ValidationError("--images goes with --pairs-csv.") }
        _ = try foldList()
        if let mask, MaskCondition(rawValue: mask) == nil { throw ValidationError("--mask must be none, one or both, not \(mask).") }
        guard let matching = MaskMatching(rawValue: maskMatching) else {
            throw ValidationError("--mask-matching must be plain, offset, templates or attention, not \(maskMatching).")
        }
        if mask == nil, matching != .plain || maskCache != nil { throw ValidationError("--mask-matching and --mask-cache go with --mask none|one|both.") }
        if let fallbackScore, !(fallbackScore > 0 && fallbackScore < 0.7) { throw ValidationError("--fallback-score must be above 0 and below the detector's 0.7.") }
    }

    private func foldList() throws -> [Int] {
        guard let folds else { return Array(1...10) }
        let values = folds.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { (1...10).contains($0) } ?? false }) else {
            throw ValidationError("--folds takes fold numbers 1–10 separated by commas, such as 1 or 1,2,3.")
        }
        return Array(Set(values.compactMap { $0 })).sorted()
    }

    func run() async throws {
        if let folders { return try await runFolders(folders) }
        let folds = try foldList()
        let pairs: VerificationPairs
        let name: String
        do {
            if let protocolName, let kind = CFPProtocol(rawValue: protocolName) {
                pairs = try VerificationPairs.cfp(root: cfp ?? Eval.dataRoot + "/cfp", protocol: kind, folds: folds)
                name = kind.rawValue
            } else {
                let csv = pairsCsv!
                let imageFolder = images ?? URL(fileURLWithPath: csv).deletingLastPathComponent().appendingPathComponent("images").path
                pairs = try VerificationPairs.csv(file: csv, images: imageFolder)
                name = pairs.name
            }
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        if let mask, let condition = MaskCondition(rawValue: mask) {
            let matching = MaskMatching(rawValue: maskMatching)!  // checked in validate()
            let output = output ?? Eval.defaultOutput(name + "-mask-" + mask + (matching == .plain ? "" : "-" + matching.rawValue))
            let cache = maskCache ?? Eval.defaultOutput(name + "-masks.tsv")
            try FileManager.default.createDirectory(atPath: (cache as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let analyzer = try global.makeAnalyzer(tasks: [.embedding, .mask, .maskedFaceEmbedding], fallbackScore: fallbackScore, imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
            let evaluation = MaskedVerification(pairs: pairs)
            try await Eval.run(json: global.json, output: output) { progress in
                try await evaluation.run(analyzer: analyzer, condition: condition, matching: matching, seed: maskSeed,
                                         cachePath: cache, output: output) { progress.update($0, $1, $2) }
            }
            return
        }
        let output = output ?? Eval.defaultOutput(name)
        var evaluation = VerificationEvaluation(pairs: pairs)
        evaluation.fixedThreshold = threshold
        evaluation.usesCache = !noCache
        let analyzer = try global.makeAnalyzer(tasks: [.embedding], fallbackScore: fallbackScore, imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
