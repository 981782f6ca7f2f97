import ArgumentParser

@main
struct VisageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visage",
        abstract: "Find, align and analyse faces in photos.",
        discussion: """
        Models and the ONNX Runtime library live in $VISAGE_HOME (default ~/.cache/visage); \
        `make setup` (scripts/setup) provisions them.

        Exit codes: 0 ok, 1 failure, 3 some input was bad, 64 usage error.
        """,
        subcommands: [AnalyzeCommand.self, DetectCommand.self, EmbedCommand.self, VerifyCommand.self, BenchCommand.self, EvalCommand.self,
                      EnrollCommand.self, IdentifyCommand.self, PeopleCommand.self, GalleryCommand.self,
                      CalibrateCommand.self, TrainHeadCommand.self, DescribeCommand.self, AskCommand.self, DatasetCommand.self, ServeCommand.self,
                      VideoCommand.self]
    )
}
