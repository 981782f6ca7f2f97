import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageModels

struct EvalVerificationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verification",
        abstract: "Face verification accuracy on CFP, LFW or a CSV pair list: k-fold accuracy, TAR at FAR, EER, ROC.",
        discussion: """
        Each image is embedded once (largest face); a pair with an image without a face scores \
        −1 and is counted. Accuracy is 10-fold: each fold's threshold is the best one on the \
        other nine. CFP uses its standard split and LFW the official folds of its pairs.txt (View 2: \
        10 folds of 300 genuine + 300 impostor pairs); a CSV gets 10 stratified folds in file order. \
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
          visage eval verification --protocol lfw /tmp/lfw/images --pairs /tmp/lfw/pairs.txt
          visage eval verification --protocol cfp-ff --mask one --mask-matching templates
          visage eval verification --protocol cfp-ff --folds 9,10 --mask one --mask-matching attention --fallback-score 0.3
          visage eval verification --protocol cfp-ff --mask one --fallback-score 0.3
          visage eval verification --pairs-csv ../shared/data/pairs-deepface/pairs.csv --images ../shared/data/pairs-deepface/images
        """
    )

    @OptionGroup var global: GlobalOptions

    /// The named pair protocols.
    enum PairProtocol: String, ExpressibleByArgument, CaseIterable {
        case cfpFF = "cfp-ff", cfpFP = "cfp-fp", lfw

        /// The CFP protocol this is; nil for LFW.
        var cfp: CFPProtocol? { CFPProtocol(rawValue: rawValue) }
    }

    @Option(name: .customLong("protocol"), help: ArgumentHelp("cfp-ff (CFP frontal–frontal), cfp-fp (CFP frontal–profile) or lfw (LFW View 2).", valueName: "name"))
    var protocolName: PairProtocol?

    @Argument(help: ArgumentHelp("With --protocol: the data set folder, CFP's (with Data/ and Protocol/) or LFW's images (<name>/<name>_0001.jpg inside) (default: $VISAGE_DATA/cfp or $VISAGE_DATA/lfw, else under ../shared/data).", valueName: "dir"))
    var dataset: String?

    @Option(help: ArgumentHelp("The CFP folder, with Data/ and Protocol/; the same as the dir argument with a CFP protocol.", valueName: "dir"))
    var cfp: String?

    @Option(name: .customLong("pairs"), help: ArgumentHelp("With --protocol lfw: LFW's pairs.txt (default: pairs.txt in the dir, else $VISAGE_DATA/protocols/lfw_pairs.txt).", valueName: "file"))
    var pairsFile: String?

    @Option(help: ArgumentHelp("Folds to use with --protocol, 1-based and comma-separated (default: all ten).", valueName: "list"))
    var folds: String?

    @Option(help: ArgumentHelp("A CSV pair list file_x,file_y,Decision (Yes/No).", valueName: "file"))
    var pairsCsv: String?

    @Option(help: ArgumentHelp("Photos with real masks, <person>/{masked,unmasked}/*.jpg: masked-vs-unmasked and unmasked-vs-unmasked pairs decided as `visage verify` decides them.", valueName: "dir"))
    var folders: String?

    @Option(help: ArgumentHelp("Folder the CSV's image names are relative to (default: images/ beside the CSV).", valueName: "dir"))
    var images: String?

    @Option(help: "Fixed threshold whose accuracy is also reported (Visage's default).")
    var threshold: Float = Verification.defaultThreshold

    @Option(help: ArgumentHelp("Folder for report.md, report.json, scores.csv, roc.svg/png and the embedding cache (default: out/eval/<name>).", valueName: "dir"))
    var output: String?

    @Flag(help: "Embed every image again instead of reusing <output>/embeddings.tsv.")
    var noCache = false

    @Option(help: ArgumentHelp("Keep an image's best face down to this detector score when none reaches the usual 0.7 (default: off). A mask or a turned head lowers YuNet's score; without this such an image has no face and its pairs score −1.", valueName: "score"))
    var fallbackScore: Float?

    @Flag(help: "Test-time flip averaging: embed each aligned face and its mirror image, add, renormalise (a second SFace pass per face).")
    var flipAverage = false

    @Option(help: ArgumentHelp("SFace file: float (sface_2021dec.onnx) or int8 (sface_2021dec_int8.onnx, quantised at set-up).", valueName: "precision"))
    var sface = SFaceEmbedder.Precision.float32

    @Option(help: ArgumentHelp("Synthetic masks: none, one (second image of each pair) or both (default: no masking at all, the plain benchmark).", valueName: "side"))
    var mask: MaskCondition?

    @Option(help: ArgumentHelp("With --mask: how a masked face is compared with a bare one.", valueName: "method"))
    var maskMatching = MaskMatching.plain

    @Option(help: "With --mask: seed of the per-image mask style.")
    var maskSeed: UInt64 = 1

    @Option(help: ArgumentHelp("With --mask: file caching the per-image measurements (default: out/eval/<name>-masks.tsv).", valueName: "file"))
    var maskCache: String?

    func validate() throws {
        try validateSimilarity(threshold, "--threshold")
        if folders != nil { return try validateFolders() }
        guard (protocolName == nil) != (pairsCsv == nil) else {
            throw ValidationError("Give either --protocol cfp-ff|cfp-fp|lfw, --pairs-csv FILE or --folders DIR.")
        }
        if pairsCsv != nil, cfp != nil || folds != nil || dataset != nil || pairsFile != nil {
            // Name what was taken as the dir argument: a misspelt option's value (`--out x`) lands there.
            let stray = dataset.map { "; `\($0)` was read as the dir argument (the value of a misspelt option?)" } ?? ""
            throw ValidationError("--cfp, --pairs, --folds and the dir argument go with --protocol, not --pairs-csv\(stray).")
        }
        if protocolName == .lfw, cfp != nil { throw ValidationError("--cfp goes with --protocol cfp-ff|cfp-fp; give LFW's images folder as the dir argument.") }
        if let protocolName, protocolName != .lfw, pairsFile != nil { throw ValidationError("--pairs goes with --protocol lfw.") }
        if cfp != nil, dataset != nil { throw ValidationError("Give the CFP folder once: --cfp or the dir argument.") }
        if protocolName != nil, images != nil { throw ValidationError("--images goes with --pairs-csv.") }
        _ = try foldList()
        if mask == nil, maskMatching != .plain || maskCache != nil { throw ValidationError("--mask-matching and --mask-cache go with --mask none|one|both.") }
        if mask != nil, flipAverage || sface != .float32 {
            throw ValidationError("--flip-average and --sface int8 are measured on the plain benchmark, not with --mask.")
        }
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

    /// --pairs, else pairs.txt in the images folder, else the protocol copy in the shared data.
    private func lfwPairsFile(images: String) -> String {
        if let pairsFile { return pairsFile }
        let beside = images + "/pairs.txt"
        return FileManager.default.fileExists(atPath: beside) ? beside : Eval.dataRoot + "/protocols/lfw_pairs.txt"
    }

    func run() async throws {
        // --mask-matching attention names the head itself: refused up front rather than measured as plain SFace.
        if maskMatching == .attention { try global.permit(MaskedFaceAttentionHead.card) }
        if let folders { return try await runFolders(folders) }
        let folds = try foldList()
        let pairs: VerificationPairs
        let name: String
        do {
            if let kind = protocolName?.cfp {
                pairs = try VerificationPairs.cfp(root: cfp ?? Eval.dataFolder(dataset, "cfp"), protocol: kind, folds: folds)
                name = kind.rawValue
            } else if protocolName == .lfw {
                let images = Eval.dataFolder(dataset, "lfw")
                pairs = try VerificationPairs.lfw(images: images, pairsFile: lfwPairsFile(images: images), folds: folds)
                name = PairProtocol.lfw.rawValue
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
        if let condition = mask {
            let matching = maskMatching
            let output = output ?? Eval.defaultOutput(name + "-mask-" + condition.rawValue + (matching == .plain ? "" : "-" + matching.rawValue))
            let cache = maskCache ?? Eval.defaultOutput(name + "-masks.tsv")
            try Eval.prepareMaskCache(cache, option: "--mask-cache")
            let analyzer = try global.makeAnalyzer(tasks: [.embedding, .mask, .maskedFaceEmbedding], fallbackScore: fallbackScore, imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
            let evaluation = MaskedVerification(pairs: pairs)
            try await Eval.run(json: global.json, output: output) { progress in
                try await evaluation.run(analyzer: analyzer, condition: condition, matching: matching, seed: maskSeed,
                                         cachePath: cache, output: output) { progress.update($0, $1, $2) }
            }
            return
        }
        let precision = sface
        let variant = (precision == .float32 ? "" : "-" + precision.rawValue) + (flipAverage ? "-flip" : "")
        let output = output ?? Eval.defaultOutput(name + variant)
        var evaluation = VerificationEvaluation(pairs: pairs)
        evaluation.fixedThreshold = threshold
        evaluation.usesCache = !noCache
        var configuration = global.analyzerConfiguration(tasks: [.embedding], fallbackScore: fallbackScore, imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        configuration.sfacePrecision = precision
        configuration.flipAveragesEmbedding = flipAverage
        let analyzer: FaceAnalyzer
        do { analyzer = try FaceAnalyzer(configuration: configuration) } catch { throw CommandFailure(FaceReport.message(for: error)) }
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
