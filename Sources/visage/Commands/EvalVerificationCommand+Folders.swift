import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

/// `visage eval verification --folders DIR`: real masks, decided as `visage verify` decides.
extension EvalVerificationCommand {
    func validateFolders() throws {
        guard protocolName == nil, pairsCsv == nil, dataset == nil, cfp == nil, folds == nil, images == nil, mask == nil, maskCache == nil else {
            throw ValidationError("--folders goes alone: not with --protocol, --pairs-csv, --cfp, --folds, --images, --mask or a dir argument.")
        }
        if let fallbackScore, !(fallbackScore > 0 && fallbackScore < 0.7) { throw ValidationError("--fallback-score must be above 0 and below the detector's 0.7.") }
    }

    func runFolders(_ root: String) async throws {
        let folders: MaskedFolders
        do {
            folders = try MaskedFolders(root: root)
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        let output = output ?? Eval.defaultOutput(URL(fileURLWithPath: root).lastPathComponent)
        let evaluation = MaskedFoldersEvaluation(folders: folders)
        let analyzer = try global.makeAnalyzer(tasks: [.embedding, .mask, .maskedFaceEmbedding], fallbackScore: fallbackScore,
                                               imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
