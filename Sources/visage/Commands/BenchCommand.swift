import ArgumentParser
import VisageJSON
import Foundation
import Visage
import VisageRuntime

/// `visage bench`: the pipeline benchmark by default, `visage bench search` for the gallery index.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput: the face pipeline (default) or gallery search.",
        subcommands: [BenchPipelineCommand.self, BenchSearchCommand.self, BenchLargePhotosCommand.self],
        defaultSubcommand: BenchPipelineCommand.self
    )
}

struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Measure end-to-end throughput and per-stage time on a folder of photos.",
        discussion: """
        Runs the whole pipeline (decode, detect, align, embed, age, gender; --attributes as \
        for analyze) over the images once as a warm-up of the first image, then timed. With \
        --reference, prints the summary of bench/reference.py (the same models through Python's \
        onnxruntime, given the same --attributes) beside ours. Process start and model loading \
        are not in these figures: bench/whole-process (make bench-process) times those too.

        Examples:
          visage bench ../shared/data/pairs-deepface/images
          visage bench --json --reference out/reference.json photos/
          visage bench --attributes age,gender,expression,mask,embedding photos/
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Use at most this many images (default: all).")
    var limit: Int?

    @Option(help: "Images analysed at once.")
    var concurrency = FaceAnalyzer.defaultBatchConcurrency

    @Option(help: ArgumentHelp("A JSON summary line written by bench/reference.py --json, shown side by side.", valueName: "file"))
    var reference: String?

    @Option(help: ArgumentHelp("What to compute per face, comma-separated: age, gender, expression, mask, embedding (the default is the reference's work).",
                               valueName: "names"))
    var attributes = "age,gender,embedding"

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
        _ = try tasks()
    }

    private func tasks() throws -> FaceAnalyzer.Tasks {
        do {
            return try FaceAnalyzer.Tasks(attributeList: attributes)
        } catch {
            throw ValidationError("--attributes: \(error.errorDescription ?? "")")
        }
    }

    func run() async throws {
        var images = ImageInputs.expand(paths)
        if let limit { images = Array(images.prefix(limit)) }
        guard !images.isEmpty else { throw ValidationError("No images found in: \(paths.joined(separator: ", ")).") }
        let referenceSummary = try reference.map(Self.loadReference)

        let analyzer = try global.makeAnalyzer(tasks: try tasks(), imagesInFlight: concurrency)
        _ = try? analyzer.analyzeFile(images[0])  // warm-up: first-run allocations and kernel selection
        let inferenceBefore = analyzer.inferenceTimes

        var stages = StageTimings()
        var faces = 0, failures = 0
        let clock = ContinuousClock()
        let start = clock.now
        for await item in analyzer.analyzeFiles(images, concurrency: concurrency) {
            switch item.result {
            case let .success(analyzed):
                stages = stages + analyzed.timings
                faces += analyzed.faces.count
            case let .failure(error):
                failures += 1
                printError("\(item.path): \(FaceReport.message(for: error))")
            }
        }
        let wall = (clock.now - start).seconds
        let inference = analyzer.inferenceTimes - inferenceBefore
        let analysed = images.count - failures
        let result = BenchSummary(images: analysed, faces: faces, wallSeconds: wall, stages: stages, inference: inference)

        if global.json {
            print(result.json.rendered)
        } else {
            print(result.text(threads: analyzer.configuration.runtime.intraOpThreads, concurrency: concurrency))
            if let referenceSummary { print(result.comparison(with: referenceSummary)) }
        }
    }

    static func loadReference(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("Cannot read the reference summary \(path).")
        }
        for line in text.split(separator: "\n").reversed() {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let summary = object["summary"] as? [String: Any] { return summary }
        }
        throw ValidationError("\(path) holds no {\"summary\": …} line from bench/reference.py --json.")
    }
}

/// Figures of one benchmark run, printed as text or as one JSON line.
struct BenchSummary {
    var images: Int
    var faces: Int
    var wallSeconds: Double
    var stages: StageTimings
    /// Time inside ONNX Runtime's Run, by stage.
    var inference: StageTimings

    var imagesPerSecond: Double { wallSeconds > 0 ? Double(images) / wallSeconds : 0 }
    var stageMilliseconds: [(String, Double)] { Self.perImage(stages, images) }
    var inferenceMilliseconds: [(String, Double)] { Self.perImage(inference, images) }
    var inferenceMillisecondsPerImage: Double { inference.total.seconds * 1000 / Double(max(images, 1)) }
    /// Share of pipeline time spent outside ONNX Runtime's Run.
    var outsideInferenceShare: Double { Self.share(of: stages.total.seconds, leaving: inference.total.seconds) }

    /// Share of pipeline time in Visage's own code: outside ONNX Runtime and outside the decode
    /// stage, which is almost all libjpeg-turbo (or libpng, libwebp) rather than Swift.
    var ownCodeShare: Double {
        Self.share(of: stages.total.seconds, leaving: inference.total.seconds + stages.decode.seconds)
    }

    /// The part of `total` not in `excluded`, as a fraction of `total` (0 for an empty total).
    /// The reference's summary is read with the same rule, so both columns mean the same.
    static func share(of total: Double, leaving excluded: Double) -> Double {
        total > 0 ? max(0, total - excluded) / total : 0
    }

    static func perImage(_ timings: StageTimings, _ images: Int) -> [(String, Double)] {
        let n = Double(max(images, 1))
        // Expression and mask are listed only when they ran, as the reference does.
        let optional = [("mask", timings.mask), ("expression", timings.expression)].filter { $0.1 > .zero }
        return ([("decode", timings.decode), ("detect", timings.detect), ("align", timings.align),
                 ("embed", timings.embed), ("age_gender", timings.ageGender)] + optional).map { ($0.0, $0.1.seconds * 1000 / n) }
    }

    var json: JSONValue {
        .object([("summary", .object([
            ("implementation", .string("visage-swift")),
            ("images", .integer(images)),
            ("faces", .integer(faces)),
            ("wall_s", .number(wallSeconds, decimals: 3)),
            ("images_per_s", .number(imagesPerSecond, decimals: 2)),
            ("stages_ms", .object(stageMilliseconds.map { ($0.0, .number($0.1, decimals: 2)) })),
            ("ort_ms", .object(inferenceMilliseconds.filter { $0.1 > 0 }.map { ($0.0, .number($0.1, decimals: 2)) }
                + [("total", .number(inferenceMillisecondsPerImage, decimals: 2))])),
            ("outside_ort_share", .number(outsideInferenceShare, decimals: 3)),
            ("own_code_share", .number(ownCodeShare, decimals: 3)),
        ]))])
    }

    func text(threads: Int, concurrency: Int) -> String {
        var lines = [String(format: "Visage: %d images, %d faces in %.2f s: %.1f images/s", images, faces, wallSeconds, imagesPerSecond)
                     + " (concurrency \(concurrency), ORT intra-op threads \(threads))"]
        lines.append("per image (ms): " + stageMilliseconds.map { "\($0.0) " + String(format: "%.2f", $0.1) }.joined(separator: ", "))
        lines.append("of which inside ONNX Runtime (ms): " + inferenceMilliseconds.filter { $0.1 > 0 }
            .map { "\($0.0) " + String(format: "%.2f", $0.1) }.joined(separator: ", "))
        lines.append(String(format: "inside ONNX Runtime %.2f ms/image; outside it %.1f%% of pipeline time "
                            + "(image decoding %.1f%%, Visage's own code %.1f%%)",
                            inferenceMillisecondsPerImage, outsideInferenceShare * 100,
                            (outsideInferenceShare - ownCodeShare) * 100, ownCodeShare * 100))
        return lines.joined(separator: "\n")
    }

    func comparison(with reference: [String: Any]) -> String {
        let refRate = (reference["images_per_s"] as? Double) ?? 0
        let refStages = reference["stages_ms"] as? [String: Any] ?? [:]
        func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - s.count))
            return left ? s + fill : fill + s
        }
        let number = { (v: Double) in pad(String(format: "%.2f", v), 20) }
        var lines = ["", pad("", 18, left: true) + pad("visage-swift", 20) + pad((reference["implementation"] as? String) ?? "reference", 20)]
        lines.append(pad("images/s", 18, left: true) + number(imagesPerSecond) + number(refRate))
        let refInference = reference["ort_ms"] as? [String: Any] ?? [:]
        for (stage, ms) in stageMilliseconds {
            lines.append(pad(stage + " ms", 18, left: true) + number(ms) + ((refStages[stage] as? Double).map(number) ?? pad("-", 20)))
        }
        for (stage, ms) in inferenceMilliseconds where ms > 0 {
            lines.append(pad(" in ORT " + stage, 18, left: true) + number(ms) + ((refInference[stage] as? Double).map(number) ?? pad("-", 20)))
        }
        let refTotal = refStages.values.compactMap { $0 as? Double }.reduce(0, +)
        let refInferenceTotal = refInference["total"] as? Double
        let refOutside = refInferenceTotal.map { Self.share(of: refTotal, leaving: $0) * 100 }
        lines.append(pad("outside ORT %", 18, left: true) + number(outsideInferenceShare * 100) + (refOutside.map(number) ?? pad("-", 20)))
        // Both decode with libjpeg-turbo (OpenCV's imread on the reference side).
        let refOwn = refInferenceTotal.flatMap { inference in
            (refStages["decode"] as? Double).map { Self.share(of: refTotal, leaving: inference + $0) * 100 }
        }
        lines.append(pad(" own code %", 18, left: true) + number(ownCodeShare * 100) + (refOwn.map(number) ?? pad("-", 20)))
        if let file = reference["sface_file"] as? String { lines.append("reference's SFace file: \(file)") }
        if refRate > 0 { lines.append(String(format: "speed-up: %.2f× the reference", imagesPerSecond / refRate)) }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }
}
