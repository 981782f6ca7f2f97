import ArgumentParser

struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Make training data from labelled photos.",
        discussion: """
        Examples:
          visage dataset qa ../shared/data/utkface --out qa.jsonl
          visage dataset qa ../shared/data --out qa.jsonl --limit 1000 --seed 3
        """,
        subcommands: [DatasetQACommand.self]
    )
}
