import ArgumentParser
import Foundation
import VisageEvaluation

struct EvalReadmeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readme",
        abstract: "Rewrite the README's Accuracy section from the evaluations' report.json files.",
        discussion: """
        Reads <reports>/*/report.json, writes the combined ROC curve and copies the age and \
        detection plots into --plots, and replaces the text between the accuracy markers (or, \
        the first time, the ACCURACY_PLACEHOLDER line). Nothing else in the file changes.

        Examples:
          visage eval readme
          visage eval readme --reports out/eval --readme README.md --plots docs/eval
        """
    )

    @Option(help: ArgumentHelp("Folder whose subfolders hold report.json files.", valueName: "dir"))
    var reports = "out/eval"

    @Option(help: ArgumentHelp("The README to update.", valueName: "file"))
    var readme = "README.md"

    @Option(help: ArgumentHelp("Folder, relative to the README's folder, for the plots it shows.", valueName: "dir"))
    var plots = "docs/eval"

    func run() async throws {
        do {
            try update()
        } catch let error as EvaluationError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
    }

    private func update() throws {
        let loaded = try AccuracySection.loadReports(in: reports)
        guard let text = try? String(contentsOfFile: readme, encoding: .utf8) else {
            throw EvaluationError.missing(path: readme, hint: "Give --readme the README to update.")
        }
        let plotDirectory = URL(fileURLWithPath: readme).deletingLastPathComponent().appendingPathComponent(plots).path
        try FileManager.default.createDirectory(atPath: plotDirectory, withIntermediateDirectories: true)
        var section = AccuracySection(reports: loaded, plotFolder: plots)
        if !section.verification.isEmpty {
            try VerificationEvaluation.rocChart(section.verification, title: "ROC: YuNet + SFace").write(to: plotDirectory + "/roc")
            section.plots.insert("roc")
        }
        // Copy the per-evaluation plots the section shows (the first report of each kind).
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []).sorted()
        for (plot, kind) in [("age", "age-gender"), ("pr", "detection"), ("confusion", "expression")] {
            guard let folder = folders.first(where: { folder in
                loaded.contains { $0.kind == kind } && FileManager.default.fileExists(atPath: "\(reports)/\(folder)/\(plot).png")
            }) else { continue }
            for ext in ["png", "svg"] where FileManager.default.fileExists(atPath: "\(reports)/\(folder)/\(plot).\(ext)") {
                let destination = "\(plotDirectory)/\(plot).\(ext)"
                try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.copyItem(atPath: "\(reports)/\(folder)/\(plot).\(ext)", toPath: destination)
            }
            section.plots.insert(plot)
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let updated = try AccuracySection.replace(in: text, with: section.markdown(date: formatter.string(from: Date())), path: readme)
        try updated.write(toFile: readme, atomically: true, encoding: .utf8)
        print("updated the Accuracy section of \(readme) from \(loaded.count) report\(loaded.count == 1 ? "" : "s"); plots in \(plotDirectory)")
    }
}
