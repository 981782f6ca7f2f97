import ArgumentParser
import Visage

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Compute each face's 128-d identity embedding (with age and gender).",
        discussion: """
        Examples:
          visage embed --json portrait.jpg
          visage embed --json people/ > embeddings.jsonl
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Image files or folders (searched recursively for .jpg, .jpeg, .png, .webp).")
    var paths: [String]

    func run() async throws {
        try await AnalysisRun(inputs: paths, global: global, tasks: [.embedding, .age, .gender],
                              report: FaceReport(includesAttributes: true, includesEmbedding: true),
                              annotateDirectory: nil).run()
    }
}
