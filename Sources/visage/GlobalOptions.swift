import ArgumentParser
import Foundation
import Visage
import VisageCore
import VisageModels
import VisageRuntime

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print one JSON object per line instead of readable text.")
    var json = false

    @Option(help: ArgumentHelp("Folder holding the model files (default: $VISAGE_HOME/models).", valueName: "dir"))
    var models: String?

    @Option(help: "ONNX Runtime intra-op threads (default: one per core, divided among the images a command over many files has in flight).")
    var threads: Int?

    @Option(help: "Refuse images, and videos whose frames have, more pixels than this (default: 50000000).")
    var maxPixels: Int?

    @Flag(help: "Keep only faces the detector itself scores at its threshold: no second look at weak boxes for masked faces (the detector alone, as the Python reference runs it).")
    var noMaskRescue = false

    @Flag(help: "Open no model whose weights are for non-commercial research only (`visage models` lists them): age and gender from the package's CC0 networks, no expression, masked faces compared and searched through SFace.")
    var noResearchOnlyModels = false

    /// - Parameter imagesInFlight: images the command analyses at once. Without `--threads`, the
    ///   cores are divided among them: on 2 cores, two images with one ORT thread each beat two
    ///   images sharing a 2-thread pool by 2–18% in 12 of 13 rounds of `visage bench`, while one image alone is
    ///   fastest with every core.
    /// - Parameter ageGender: where both age and gender come from (`--age-gender`); nil keeps the default.
    func analyzerConfiguration(tasks: FaceAnalyzer.Tasks, input: FaceAnalyzer.Input = .photo, fallbackScore: Float? = nil,
                               imagesInFlight: Int = 1, ageGender: FaceAnalyzer.AttributeModel? = nil) -> FaceAnalyzer.Configuration {
        var configuration = FaceAnalyzer.Configuration()
        if let models { configuration.models = ModelDirectory(url: URL(fileURLWithPath: models, isDirectory: true)) }
        if let threads {
            configuration.runtime.intraOpThreads = max(1, threads)
        } else {
            configuration.runtime.intraOpThreads = max(1, configuration.runtime.intraOpThreads / max(1, imagesInFlight))
        }
        if let maxPixels { configuration.decoding.maxPixels = maxPixels }
        configuration.tasks = tasks
        configuration.input = input
        configuration.fallbackScoreThreshold = fallbackScore
        if noMaskRescue { configuration.maskedFaceRescue = nil }
        if let ageGender {
            configuration.ageModel = ageGender
            configuration.genderModel = ageGender
        }
        if noResearchOnlyModels { configuration = configuration.withoutResearchOnlyModels().configuration }
        return configuration
    }

    /// Loads the models, turning a set-up problem into a message that names the missing file.
    func makeAnalyzer(tasks: FaceAnalyzer.Tasks, input: FaceAnalyzer.Input = .photo, fallbackScore: Float? = nil,
                      imagesInFlight: Int = 1, ageGender: FaceAnalyzer.AttributeModel? = nil) throws -> FaceAnalyzer {
        if noResearchOnlyModels, let ageGender, ageGender != .separateNetwork {
            throw ValidationError("--age-gender \(ageGender.rawValue) runs the heads trained on UTKFace, which are for non-commercial research only; with --no-research-only-models use --age-gender separate (the default then).")
        }
        let configuration = analyzerConfiguration(tasks: tasks, input: input, fallbackScore: fallbackScore,
                                                  imagesInFlight: imagesInFlight, ageGender: ageGender)
        if noResearchOnlyModels, let note = Self.researchOnlyNote(dropped: tasks.subtracting(configuration.tasks)) {
            printError(note)
        }
        do {
            return try FaceAnalyzer(configuration: configuration)
        } catch {
            throw CommandFailure(FaceReport.message(for: error))
        }
    }

    /// For a command that opens a model itself rather than through an analyzer: refuses it as the
    /// analyzer would under `--no-research-only-models`.
    func permit(_ card: ModelCard) throws {
        do { try analyzerConfiguration(tasks: []).permit(card) } catch { throw CommandFailure(error.description) }
    }

    /// What `--no-research-only-models` leaves out of a command's tasks, in words; nil when nothing.
    static func researchOnlyNote(dropped: FaceAnalyzer.Tasks) -> String? {
        var lost: [String] = []
        if dropped.contains(.expression) { lost.append("no expression (its model is trained on FER2013)") }
        if dropped.contains(.maskedFaceEmbedding) { lost.append("masked faces compared and searched through SFace at the unmasked threshold (the attention head is trained on CFP)") }
        if dropped.contains(.attributeEmbedding) { lost.append("no FAb-Net embedding") }
        guard !lost.isEmpty else { return nil }
        return "note: --no-research-only-models: " + lost.joined(separator: "; ")
    }

    func validate() throws {
        // ONNX Runtime starts every thread asked for: 100,000 ran for minutes, Int.max ran out of memory.
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024.") }
        if let maxPixels, maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
    }
}

/// A failure whose message is ready for the terminal; argument-parser prints it and exits 1.
struct CommandFailure: LocalizedError {
    let errorDescription: String?

    init(_ message: String) {
        errorDescription = message
    }
}

/// Exit codes beyond argument-parser's own (0 success, 64 usage).
enum VisageExitCode {
    /// Some input image could not be read or analysed; the others were processed.
    static let badInput = ExitCode(3)
}
