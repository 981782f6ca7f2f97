import ArgumentParser
import Visage

struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect faces: boxes, scores and five landmarks only.",
        discussion: """
        Examples:
          visage detect group.jpg
          visage detect --json photos/ > faces.jsonl
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Write each image with boxes and landmarks drawn into this folder.", valueName: "dir"))
    var annotate: String?

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png, .webp).")
    var paths: [String]

    func run() async throws {
        try await AnalysisRun(inputs: paths, global: global, tasks: [],
                              report: FaceReport(includesAttributes: false, includesEmbedding: false),
                              annotateDirectory: annotate).run()
    }
}
