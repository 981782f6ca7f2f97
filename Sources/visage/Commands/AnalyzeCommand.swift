import ArgumentParser
import Visage

struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Detect faces and estimate identity embedding, age, gender, expression and mask.",
        discussion: """
        Examples:
          visage analyze photo.jpg
          visage analyze --json --annotate out/ photos/
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Write each image with boxes, landmarks and labels drawn into this folder.", valueName: "dir"))
    var annotate: String?

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png, .webp).")
    var paths: [String]

    func run() async throws {
        try await AnalysisRun(inputs: paths, global: global, tasks: .all,
                              report: FaceReport(includesAttributes: true, includesEmbedding: false),
                              annotateDirectory: annotate).run()
    }
}
