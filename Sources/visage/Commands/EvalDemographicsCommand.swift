import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalDemographicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demographics",
        abstract: "False-match rates by race, gender and age band on UTKFace: whom Visage confuses more often.",
        discussion: """
        Embeds every UTKFace photo (largest face) and scores every pair of two photos as an \
        impostor pair (UTKFace has no identities, so two photos are taken as two people; the \
        report lists the highest-scoring pairs for a person to check). For pairs within each \
        race × gender label and each age band it reports the share accepted at `visage \
        verify`'s threshold and at the gallery's, that share over all pairs' (NIST's \
        demographic differential), and the score a false-match rate of 1e-3 would need. \
        The labels are annotators' perceived race and gender (docs/evaluation.md).

        Examples:
          visage eval demographics
          visage eval demographics --part held-out --output out/eval/demographics-held-out
        """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var photos: UTKFaceOptions

    @Option(help: ArgumentHelp("Folder for the report and the embedding cache.", valueName: "dir"))
    var output: String = Eval.defaultOutput("demographics")

    func validate() throws {
        if let limit = photos.limit, limit < 2 { throw ValidationError("--limit must be at least 2 (a pair).") }
    }

    func run() async throws {
        let dataset = try photos.dataset()
        let analyzer = try global.makeAnalyzer(tasks: [.embedding], imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        let evaluation = DemographicFalseMatchEvaluation(dataset: dataset)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
