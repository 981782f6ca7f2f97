import Foundation
import Testing

/// Option values are enums that argument-parser lists and checks, and each default is printed
/// once, by argument-parser, never typed into the help text as well.
struct HelpCLITests {
    /// Help as one line per option: argument-parser wraps long help across lines.
    static func help(_ arguments: String...) throws -> String {
        let run = try CLITests.visage(arguments + ["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    @Test(arguments: [["eval", "age-gender"], ["eval", "expression"], ["eval", "attributes"], ["identify"],
                      ["eval", "gallery-masks"], ["bench", "large-photos"], ["verify"]])
    func noDefaultIsPrintedTwice(command: [String]) throws {
        let run = try CLITests.visage(command + ["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        for match in text.matches(of: #/\(default: ([^)]*)\)/#) {
            #expect(text.components(separatedBy: "(default: \(match.output.1))").count == 2, "\(command): \"\(match.output.0)\" printed more than once")
        }
    }

    @Test func enumOptionsListTheirValues() throws {
        #expect(try Self.help("eval", "age-gender").contains("--part <part>"))
        #expect(try Self.help("eval", "age-gender").contains("(values: training, held-out)"))
        #expect(try Self.help("eval", "age-gender").contains("(values: sface-head, separate, stacked)"))
        #expect(try Self.help("eval", "attributes").contains("(values: sface-map, sface-map-context, sface-map-or-context, embedding; default: sface-map-or-context)"))
        #expect(try Self.help("verify").contains("(values: attention, plain; default: attention)"))
        let bad = try CLITests.visage("eval", "age-gender", "--part", "test")
        #expect(bad.status == 64 && bad.stderr.contains("held-out"), "\(bad.stderr)")
    }

    /// The option is the one its own help and docs spell (argument-parser would derive `--make12mp`).
    @Test func benchLargePhotosTakesTheSpellingItsExampleUses() throws {
        let text = try Self.help("bench", "large-photos")
        #expect(text.contains("visage bench large-photos --make-12mp"))
        #expect(text.contains("[--make-12mp <file>]"))
    }
}
