import ArgumentParser
import Foundation
import Visage
import VisageEvaluation

struct EvalAgeGenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "age-gender",
        abstract: "Apparent age MAE and gender accuracy on UTKFace, broken down by race, gender and age band.",
        discussion: """
        Runs the whole pipeline on each photo (the detector must find the face on these \
        200×200 crops; photos where it does not are counted per group) and compares the \
        largest face's estimates with the labels in the file names. Writes predictions.csv and \
        age.svg/png (predicted against labelled age) beside the report. --part keeps one part \
        of Visage's fixed UTKFace split (a hash of the file name; see docs/evaluation.md); \
        --head-gender/--head-age/--head-race score our UTKFace heads (`visage train-head \
        --utkface`) on the same faces beside the package's models, with the race head's \
        per-group accuracy and confusion matrix. --model chooses where age and gender come \
        from: sface-head (our heads on SFace's feature map, age-sface-head.onnx and \
        gender-sface-head.onnx), separate (the package's age-v1.onnx and gender-v1.onnx) or \
        stacked (both, combined: the most accurate, and the slowest); the default is what \
        `visage analyze` uses (sface-head).

        Examples:
          visage eval age-gender --part held-out
          visage eval age-gender --part held-out --model separate --output out/eval/age-gender-package
          visage eval age-gender --part held-out --model stacked --output out/eval/age-gender-stacked
          visage eval age-gender --part held-out --head-gender models/utkface-gender.json --head-age models/utkface-age.json --output out/eval/age-gender-held-out
        """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var photos: UTKFaceOptions

    @Option(help: ArgumentHelp("Our gender head (`train-head --utkface DIR --attribute gender`) to score beside the package's model.", valueName: "head.json"))
    var headGender: String?

    @Option(help: ArgumentHelp("Our age head (`train-head --utkface DIR --attribute age`) to score beside the package's model.", valueName: "head.json"))
    var headAge: String?

    @Option(help: ArgumentHelp("A race head (`train-head --utkface DIR --attribute race`): accuracy per UTKFace group and confusion matrix.", valueName: "head.json"))
    var headRace: String?

    @Option(help: ArgumentHelp("Folder for the report and plots.", valueName: "dir"))
    var output: String = Eval.defaultOutput("age-gender")

    @Option(help: ArgumentHelp("Where age and gender come from (without it: what `visage analyze` uses).", valueName: "model"))
    var model: FaceAnalyzer.AttributeModel?

    func run() async throws {
        let dataset = try photos.dataset()
        let heads: UTKFaceHeads
        do {
            heads = try UTKFaceHeads(gender: headGender, age: headAge, race: headRace)
        } catch {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        var configuration = global.analyzerConfiguration(tasks: heads.isEmpty ? [.age, .gender] : [.age, .gender, .embedding],
                                                         imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        if let model {
            configuration.ageModel = model
            configuration.genderModel = model
        }
        let analyzer: FaceAnalyzer
        do { analyzer = try FaceAnalyzer(configuration: configuration) } catch { throw CommandFailure(FaceReport.message(for: error)) }
        let evaluation = AgeGenderEvaluation(dataset: dataset, heads: heads)
        try await Eval.run(json: global.json, output: output) { progress in
            try await evaluation.run(analyzer: analyzer, output: output) { progress.update($0, $1, $2) }
        }
    }
}
