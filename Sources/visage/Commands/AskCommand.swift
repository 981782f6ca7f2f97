import ArgumentParser
import Foundation
import Visage
import VisageJSON
import VisageAsk
import VisageCore

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question about the faces in a photo from what Visage measured, or say why it cannot.",
        discussion: """
        Understands questions about apparent age and age group, apparent gender, expression and \
        masks (when this build has those models), how many people there are, which face is the \
        oldest or youngest, head pose, sharpness, whether the photo is good enough for \
        enrolment, and who someone is (only with --gallery). Anything else (names without a \
        gallery, race, feelings, honesty, glasses…) is declined with the reason. With several \
        faces, name one ("the person on the left", "face 2") or the largest is answered and the \
        answer says so.

        --json prints {"question", "answer", "value", "confidence", "source"}: value is a bool for \
        yes/no questions, a number for numeric ones, null when declined; confidence is the \
        model's probability, null when it gives none. With --llm, a second line (or paragraph) \
        gives the answer of a vision-language model served at that URL (OpenAI-compatible \
        /v1/chat/completions, e.g. llama.cpp's llama-server or Ollama), grounded on Visage's \
        measurements.

        Examples:
          visage ask group.jpg "How many people are in this photo?"
          visage ask --json --llm http://127.0.0.1:8080 portrait.jpg "Is she smiling?"
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: OptionalGalleryOptions

    @Option(help: ArgumentHelp("Also ask the vision-language model served at this URL (OpenAI-compatible chat completions).", valueName: "url"))
    var llm: String?

    @Option(help: "Model name sent to the --llm server (servers hosting one model ignore it).")
    var llmModel = "default"

    @Option(help: "Seconds to wait for the --llm server.")
    var llmTimeout: Double = 60

    @Argument(help: "The photo.")
    var image: String

    @Argument(help: "The question, in English.")
    var question: String

    func validate() throws {
        if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("The question is empty.") }
        if !(llmTimeout > 0 && llmTimeout.isFinite) { throw ValidationError("--llm-timeout must be a positive number of seconds.") }
    }

    func run() async throws {
        var client: ChatCompletionsClient?
        if let llm {
            do {
                client = try ChatCompletionsClient(url: llm, model: llmModel, apiKey: ProcessInfo.processInfo.environment["VISAGE_LLM_API_KEY"], timeout: llmTimeout)
            } catch { throw ValidationError(error.errorDescription ?? "\(error)") }
        }
        let analyzer = try global.makeAnalyzer(tasks: PhotoQuestioning.tasks)
        let photo = try await PhotoQuestioning.analyze(image, analyzer: analyzer, gallery: gallery).1
        let answer = Answerer(photo: photo).answer(question)
        print(global.json ? answer.json.rendered : answer.text)
        guard let client else { return }
        let reply: ChatCompletionsClient.Reply
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: image))
            let grounding = photo.json(image: (image as NSString).lastPathComponent).rendered
            reply = try await client.ask(question, imageData: data, mimeType: Self.mimeType(data), grounding: grounding)
        } catch let error as ChatError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw ExitCode.failure
        }
        let source = "llm \(reply.model ?? llmModel) at \(client.endpoint.absoluteString), grounded on Visage's measurements"
        if global.json {
            print(JSONValue.object([("question", .string(question)), ("answer", .string(reply.answer)), ("value", .null),
                                    ("confidence", .null), ("source", .string(source))]).rendered)
        } else {
            print("\nModel server (\(reply.model ?? llmModel)): \(reply.answer)")
        }
    }

    /// From the file's magic bytes, as the decoder reads it.
    static func mimeType(_ data: Data) -> String {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46], bytes[8..<12] == [0x57, 0x45, 0x42, 0x50] { return "image/webp" }
        return "image/jpeg"
    }
}
