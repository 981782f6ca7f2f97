import ArgumentParser
import Foundation
import Visage
import VisageCore
import VisageModels

/// `visage bench large-photos`: the whole decode against the reduced one (DCT scaling for the
/// detector, full-resolution regions for the crops), side by side on the same files.
struct BenchLargePhotosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "large-photos",
        abstract: "Compare analysing large JPEGs decoded whole with decoded reduced and in parts: time, peak memory, faces, embeddings.",
        discussion: """
        Each photo is analysed both ways in alternating rounds, in one process: `whole` decodes \
        every pixel (what `analyze --annotate` and the library's analyzeFile do), `reduced` is \
        what `analyze` without --annotate, `embed`, `enroll` and the batch API do: a baseline \
        JPEG at least --minimum-reduction times the detector's side is decoded at 1/4 or 1/8 \
        for the detector and only the region under the faces at full resolution for the \
        crops; anything else is decoded whole. Shown per photo: the reduction used, the median \
        time of each way and of its decoding, the faces each way found, the lowest box IoU and \
        the lowest embedding cosine between matched faces.

        --make-12mp FILE first writes a 12-megapixel photo: the setup's group photo \
        ($VISAGE_HOME/samples/t1.jpg, 1280×886) enlarged to 4000×3000 (bilinear) and encoded \
        by VisageCore's JPEG encoder at quality 90; it is then measured with the others.

        --only whole|reduced analyses each photo one way, once, for `/usr/bin/time -v` \
        (peak memory: run each way in its own process).

        Examples:
          visage bench large-photos --make-12mp /tmp/group-12mp.jpg ../shared/data/cfp/Data/Images/495/profile/04.jpg
          /usr/bin/time -v visage bench large-photos --only reduced /tmp/group-12mp.jpg
        """
    )

    enum Way: String, ExpressibleByArgument, CaseIterable {
        case whole, reduced
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Rounds per photo and way.")
    var rounds = 5

    // Spelt out: argument-parser would derive `--make12mp`, which the help and docs never used.
    @Option(name: .customLong("make-12mp"), help: ArgumentHelp("Write the 12-megapixel test photo here first and measure it too.", valueName: "file"))
    var make12mp: String?

    @Option(help: "Analyse each photo only this way, once.")
    var only: Way?

    @Option(help: "Use the reduced decode only from this reduction on: 2, 4 or 8 (the default is the library's).")
    var minimumReduction = FaceAnalyzer.largePhotoMinimumReduction

    @Option(help: ArgumentHelp("What to compute per face, comma-separated.", valueName: "names"))
    var attributes = "age,gender,expression,embedding"

    @Argument(help: "JPEG files or folders.")
    var paths: [String] = []

    func run() async throws {
        var photos = ImageInputs.expand(paths)
        if let make12mp {
            let home = ProcessInfo.processInfo.environment["VISAGE_HOME"] ?? (NSHomeDirectory() + "/.cache/visage")
            try Image(contentsOf: home + "/samples/t1.jpg").resized(width: 4000, height: 3000).write(to: make12mp, jpegQuality: 90)
            photos.insert(make12mp, at: 0)
        }
        guard !photos.isEmpty else { throw ValidationError("No images given.") }
        let tasks = try FaceAnalyzer.Tasks(attributeList: attributes)
        let analyzer = try global.makeAnalyzer(tasks: tasks)

        func analyze(_ path: String, _ way: Way) throws -> (AnalyzedImage, Duration) {
            let clock = ContinuousClock(), start = clock.now
            let result = way == .whole
                ? try analyzer.analyzeFile(path, tasks: tasks)
                : try analyzer.analyzeFile(path, tasks: tasks, keepingImage: false, minimumReduction: minimumReduction)
            return (result, clock.now - start)
        }

        if let only {
            for path in photos {
                let (result, elapsed) = try analyze(path, only)
                print("\(path): \(only.rawValue), \(result.faces.count) faces, \(Self.ms(elapsed)) ms (decode \(Self.ms(result.timings.decode)) ms)")
            }
            return
        }
        _ = try analyze(photos[0], .reduced)  // warm-up: first-run allocations and kernel selection
        print("photo | size | reduction | whole ms | reduced ms | whole decode ms | reduced decode ms | faces whole/reduced | min box IoU | min embedding cosine")
        print("---|---|---|---|---|---|---|---|---|---")
        for path in photos {
            let file = try EncodedImage(contentsOf: path)
            var reduction = file.info.reduction(keepingLongerSideAtLeast: analyzer.configuration.detector.maxSide)
            if reduction < minimumReduction || file.isProgressiveJPEG { reduction = 1 }
            var times: [Way: [Duration]] = [:], decodes: [Way: [Duration]] = [:], results: [Way: AnalyzedImage] = [:]
            for _ in 0..<max(1, rounds) {
                for way in Way.allCases {
                    let (result, elapsed) = try analyze(path, way)
                    times[way, default: []].append(elapsed)
                    decodes[way, default: []].append(result.timings.decode)
                    results[way] = result
                }
            }
            let whole = results[.whole]!.faces, reduced = results[.reduced]!.faces
            var minIoU: Float = 1, minCosine: Float = 1
            for face in whole {
                guard let match = reduced.max(by: { $0.box.iou(face.box) < $1.box.iou(face.box) }) else { minIoU = 0; continue }
                minIoU = min(minIoU, match.box.iou(face.box))
                if let cosine = face.similarity(to: match) { minCosine = min(minCosine, cosine) }
            }
            func median(_ values: [Duration]?) -> String { Self.ms(values!.sorted()[values!.count / 2]) }
            print([path, "\(file.info.uprightWidth)×\(file.info.uprightHeight)", reduction == 1 ? "whole" : "1/\(reduction)",
                   median(times[.whole]), median(times[.reduced]), median(decodes[.whole]), median(decodes[.reduced]),
                   "\(whole.count)/\(reduced.count)", String(format: "%.3f", minIoU), String(format: "%.4f", minCosine)].joined(separator: " | "))
        }
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}
