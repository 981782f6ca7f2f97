import VisageCore
import ArgumentParser
import Foundation
import VisageAsk
import VisageEvaluation

struct DatasetQACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Write FairFaceGPT-style question-answer conversations from labelled photos as JSONL.",
        discussion: """
        DIR is one labelled set (a UTKFace folder, a CelebA folder with list_attr_celeba.txt and \
        images/, a folder of expression class folders such as FER2013's, or a mask folder with \
        with_mask/ and without_mask/), or a root holding utkface, celeba-attributes, \
        fer2013/train and masks. Each photo becomes one line: {"image": path, "conversations": \
        [{"from": "human", "value": "<image>\\n…"}, {"from": "gpt", "value": "…"}, …]}, one turn \
        pair per label, phrasing drawn from several templates with --seed. Race labels are not \
        used. Licences of the sets carry over to the file (several are non-commercial).

        Examples:
          visage dataset qa ../shared/data/utkface --out qa.jsonl
          visage dataset qa ../shared/data --out qa.jsonl --limit 1000 --seed 3
        """
    )

    @Argument(help: ArgumentHelp("A labelled set, or a root holding several.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("The JSONL file to write.", valueName: "file"))
    var out: String

    @Option(help: "Photos sampled per set (default: all).")
    var limit: Int?

    @Option(help: "Seed of the sampling and the phrasing.")
    var seed: UInt64 = 7

    @Flag(help: "Write image paths relative to DIR instead of as found.")
    var relative = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        // Checked before the photos are read: the file is written once, at the end.
        if let problem = OutputPath.fileProblem(out) { throw CommandFailure("Cannot write \(out): \(problem).") }
        var sets: [(String, LabelledSets.Kind)] = []
        if let kind = LabelledSets.kind(of: directory) {
            sets = [(directory, kind)]
        } else {
            for (folder, kind) in [("utkface", LabelledSets.Kind.utkface), ("celeba-attributes", .celeba), ("fer2013/train", .expressions), ("masks", .masks)] {
                let path = directory + "/" + folder
                if FileManager.default.fileExists(atPath: path) { sets.append((path, kind)) }
            }
        }
        guard !sets.isEmpty else {
            printError("Error: \(directory) is not a labelled set Visage knows (UTKFace, CelebA attributes, expression or mask class folders), nor a root holding one.")
            throw VisageExitCode.badInput
        }
        var generator = QAPairGenerator(seed: seed)
        var sampler = SeededGenerator(seed: seed)
        var lines = ""
        var written = 0, turns = 0
        for (path, kind) in sets {
            let faces: [LabelledFace]
            do {
                switch kind {
                case .utkface: faces = try LabelledSets.utkface(path)
                case .celeba: faces = try LabelledSets.celeba(path)
                case .expressions: faces = try LabelledSets.expressions(path, dataset: (path as NSString).lastPathComponent)
                case .masks: faces = try LabelledSets.masks(path)
                }
            } catch {
                printError("Error: " + (error.errorDescription ?? "\(error)"))
                throw VisageExitCode.badInput
            }
            let chosen = limit.map { Array(faces.shuffled(using: &sampler).prefix($0)) } ?? faces
            var count = 0
            for face in chosen {
                let image = relative ? Self.relative(face.path, to: directory) : face.path
                guard let conversation = generator.conversation(for: face, imagePath: image) else { continue }
                lines += conversation.jsonLine + "\n"
                count += 1
                turns += conversation.turns.count / 2
            }
            written += count
            printError("\(path): \(count) conversations (\(kind.rawValue))")
        }
        do {
            try Data(lines.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CommandFailure("Could not write \(out): \(FileSystemFailure.reason(error as NSError)).")
        }
        print("wrote \(written) conversations, \(turns) question-answer pairs, to \(out)")
    }

    static func relative(_ path: String, to root: String) -> String {
        let base = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
