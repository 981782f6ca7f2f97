import ArgumentParser
import Foundation
import Visage
import VisageCore
import VisageJSON
import VisageModels

/// `visage models`: the model folder against the cards: what is there, whether each file is the
/// one set-up installs, and what each may be used for.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the model files: whether each is the one set-up installs (sha256), and its licence and allowed use.",
        discussion: """
        Every model Visage can open, with the file's state in the model folder:
          as-installed  the exact bytes `make setup` installs
          differs       other bytes: your own retrained model, or a damaged copy
          present       a file set-up does not install (an opt-in model you trained)
          missing       not there (fine for an opt-in model)
          unreadable    a folder, a named pipe or a file without read permission
        and what its weights may be used for: any (the licence allows it), check-training-data \
        (a permissive licence, but the photos it was trained on were never cleared for \
        commercial use), research-only (trained on photos whose terms allow non-commercial \
        research only). The full card of each is under docs/models/ in the repository.

        With --check the command exits 1 when a file Visage needs is missing, a file is not \
        the set-up's, or a file cannot be read: for a deployment script.

        Examples:
          visage models
          visage models --check --models /srv/visage/models
          visage models --json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Exit 1 when any file is missing, not the set-up's, or unreadable (opt-in models may be absent).")
    var check = false

    func run() throws {
        let directory = global.analyzerConfiguration(tasks: []).models
        let named = "\(directory.url.path) (\(global.models == nil ? "$VISAGE_HOME/models" : "--models"))"
        switch FileKind(of: directory.url.path) {
        case .directory: break
        case .missing:
            throw CommandFailure("There is no model folder at \(named): run `make setup` (scripts/setup), or name the folder with --models.")
        default:
            throw CommandFailure("\(named) is not a folder: name the folder that holds the model files.")
        }
        let inventory = ModelInventory.survey(directory)
        if global.json {
            for entry in inventory.entries { printNow(entry.json().rendered) }
        } else {
            print(Self.table(inventory))
        }
        let problems = inventory.entries.filter(\.isProblem)
        if check, !problems.isEmpty {
            throw CommandFailure("\(problems.count) model file\(problems.count == 1 ? "" : "s") in \(directory.url.path) need\(problems.count == 1 ? "s" : "") attention: "
                + problems.map(\.card.fileName).joined(separator: ", "))
        }
    }

    /// The readable listing: a line per model, then the problems with what to do.
    static func table(_ inventory: ModelInventory) -> String {
        let rows = inventory.entries.map { entry in
            [entry.card.fileName + (entry.card.isOptIn ? " (opt-in)" : ""), entry.state.name, entry.card.use.rawValue, entry.card.purpose]
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths + [0]).map { cell, width in cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        var lines = ["Models in \(inventory.directory.url.path)", line(["file", "state", "use", "purpose"])] + rows.map(line)
        let problems = inventory.entries.filter(\.isProblem)
        if !problems.isEmpty {
            lines.append("")
            lines += problems.map { "\($0.card.fileName): \($0.advice ?? $0.state.name)" }
        }
        let restricted = inventory.entries.filter { $0.card.use == .researchOnly && $0.sha256 != nil && !$0.card.isOptIn }
        if !restricted.isEmpty {
            lines.append("")
            lines.append("Non-commercial research only, and used by default: " + restricted.map(\.card.fileName).joined(separator: ", ")
                + ". Licences, training data and metrics: `visage models --json` and docs/models/.")
        }
        return lines.joined(separator: "\n")
    }
}
