import ArgumentParser
import Foundation
import VisageEvaluation

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure accuracy on named real data sets and write reports and plots.",
        discussion: """
        Each evaluation writes report.md, report.json and its plots to --output (default \
        out/eval/<name>), shows progress on stderr and prints the markdown table. Data sets are \
        looked for under $VISAGE_DATA (default ../shared/data). `visage eval readme` rewrites \
        the README's Accuracy section from the reports; `make eval` runs everything.

        Examples:
          visage eval verification --protocol cfp-fp
          visage eval detection --voc ../shared/data/mask-boxes --output out/eval/detection
        """,
        subcommands: [
            EvalVerificationCommand.self, EvalAgeGenderCommand.self, EvalDetectionCommand.self,
            EvalExpressionCommand.self, EvalMaskCommand.self, EvalAttributesCommand.self, EvalHeadCommand.self, EvalQACommand.self, EvalProbeCommand.self,
            EvalGalleryMasksCommand.self, EvalDemographicsCommand.self,
            EvalReadmeCommand.self,
        ]
    )
}

/// Shared by the `eval` subcommands: where data and reports go, progress, and how a report
/// reaches the terminal.
enum Eval {
    /// `$VISAGE_DATA`, else `../shared/data`.
    static var dataRoot: String {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"] ?? ""
        return env.isEmpty ? "../shared/data" : env
    }

    static func defaultOutput(_ name: String) -> String { "out/eval/" + name }

    /// A data set's folder: the one the command was given, else `name` in ``dataRoot``.
    static func dataFolder(_ given: String?, _ name: String) -> String { given ?? dataRoot + "/" + name }

    /// Writes an evaluation's own report files (`report.md`, `report.json`, …) into `output`,
    /// creating the folder; for the evals that do not go through ``run(json:output:_:)``.
    static func writeReport(_ files: [(name: String, contents: Data)], to output: String) throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        for (name, contents) in files { try contents.write(to: URL(fileURLWithPath: output + "/" + name)) }
    }

    /// Runs an evaluation; a data set that is missing or malformed prints its message and
    /// exits with 3 (bad input), as does a run in which some images were unreadable.
    /// `alsoWritten` names the files the evaluation writes beside its report.
    static func run<Report: EvaluationReport>(json: Bool, output: String, alsoWritten: [String] = [], _ body: (inout Progress) async throws -> Report) async throws {
        var progress = Progress()
        let report: Report
        do {
            report = try await body(&progress)
        } catch let error as EvaluationError {
            progress.finish()
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            switch error {
            case .missing, .notAFolder, .malformed, .empty: throw VisageExitCode.badInput
            case .unwritable, .modelNotAvailable, .modelFailed: throw ExitCode.failure
            }
        }
        progress.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.markdown())
            print("written to \(output)/" + (["report.md", "report.json"] + alsoWritten).joined(separator: ", "))
        }
        if Self.unreadableCount(report) > 0 { throw VisageExitCode.badInput }
    }

    private static func unreadableCount(_ report: some EvaluationReport) -> Int {
        switch report {
        case let r as VerificationReport: r.unreadableImages.count
        case let r as AgeGenderReport: r.unreadableImages.count
        case let r as DetectionReport: r.unreadableImages.count
        case let r as ExpressionReport: r.unreadableImages.count
        case let r as HeadLearningCurveReport: r.unreadableImages.count
        case let r as AttributeReport: r.unreadableImages.count
        case let r as MaskReport: r.unreadableImages.count
        case let r as MaskedVerificationReport: r.verification.unreadableImages.count
        case let r as DemographicFalseMatchReport: r.unreadableImages.count
        case let r as MaskedFoldersReport: r.unreadableImages.count
        case let r as PilotReport: r.unreadableImages.count
        default: 0
        }
    }
}

extension Eval {
    /// Checks a masked-embeddings cache path before any work: a file that is not such a cache
    /// is refused (it used to be deleted and replaced), and the folder is made when missing
    /// (a bare file name has none to make).
    static func prepareMaskCache(_ path: String, option: String) throws {
        guard MaskedEmbeddings.isCacheOrMissing(path) else {
            printError("Error: \(path) exists and is not a masked-embeddings cache; give \(option) a new file name or a cache an earlier run wrote.")
            throw VisageExitCode.badInput
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try OutputPath.makeFolder(folder) }
    }
}
