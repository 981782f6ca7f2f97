public import Visage
import VisageCore
import Foundation

/// Writes, for each image of a class- or identity-folder dataset, the 112×112 ArcFace-aligned
/// crop of its largest face exactly as the pipeline makes it at inference (YuNet landmarks,
/// Umeyama similarity, the same warp), as a PNG at the same relative path with `.png` added.
/// This is how training data for a model that reads aligned crops (the mask classifier) is
/// made: the model then sees at training time what it will see in `analyze`.
/// `crops-manifest.tsv` lists each image as `path<TAB>face|noface|error<TAB>detail`, so the
/// images where no face was found are on record.
///
/// ```swift
/// let crops = AlignedCrops(source: "../shared/data/masks", output: "/tmp/mask-crops")
/// let summary = try await crops.run(analyzer: analyzer) { done, total, path in }
/// ```
public struct AlignedCrops: Sendable {
    public static let manifestName = "crops-manifest.tsv"

    public var source: String
    public var output: String

    public init(source: String, output: String) {
        self.source = source
        self.output = output
    }

    public struct Summary: Sendable {
        public var images = 0
        public var cropped = 0
        public var withoutFace = 0
        public var errors = 0
    }

    /// Runs the analyzer (it must compute ``FaceAnalyzer/Tasks/alignedCrop``) over every image.
    public func run(analyzer: FaceAnalyzer, progress: (Int, Int, String) -> Void) async throws(DatasetError) -> Summary {
        let listing = try DatasetWalker(root: source).walk()
        let fm = FileManager.default
        if let contents = try? fm.contentsOfDirectory(atPath: output), !contents.isEmpty { throw .outputNotEmpty(path: output) }
        var summary = Summary()
        summary.images = listing.images.count
        var manifest = ""
        let paths = listing.images.map { source + "/" + $0.relativePath }
        for await item in analyzer.analyzeFiles(paths) {
            let relative = listing.images[item.index].relativePath
            progress(item.index + 1, paths.count, relative)
            switch item.result {
            case let .success(analyzed):
                guard let face = analyzed.faces.largest, let crop = face.alignedCrop else {
                    summary.withoutFace += 1
                    manifest += "\(relative)\tnoface\t\n"
                    continue
                }
                let destination = output + "/" + relative + ".png"
                do {
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try crop.write(to: destination)
                } catch { throw .unwritable(path: destination, reason: error.localizedDescription) }
                summary.cropped += 1
                manifest += "\(relative)\tface\t\(analyzed.faces.count) face(s), score \(String(format: "%.3f", face.score))\n"
            case let .failure(error):
                summary.errors += 1
                let message = ((error as? any LocalizedError)?.errorDescription ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
                manifest += "\(relative)\terror\t\(message)\n"
            }
        }
        do {
            try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
            try manifest.write(toFile: output + "/" + Self.manifestName, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritable(path: output + "/" + Self.manifestName, reason: error.localizedDescription)
        }
        return summary
    }
}
