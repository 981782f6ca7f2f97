public import Visage
import VisageCore
import Foundation

/// Makes a copy of an identity-folder dataset in which a fraction of the images carry a
/// rendered face mask: the walker picks images (deterministically, by a seeded hash of the
/// path), the analyzer finds their faces, ``MaskRenderer`` paints every face in one style per
/// image (chosen from `styles` by a seeded hash of the path) in a look of its own (colour,
/// print, fit, ear loops: a seeded variant, also from the path), and the result is written at
/// the same relative path. Unchosen images, and chosen ones with no face, are linked
/// (symbolic links), not copied. `mask-manifest.tsv` lists each image as
/// `path<TAB>masked|linked|noface|error<TAB>detail` (the style, for masked ones).
///
/// ```swift
/// let copy = MaskedCopy(source: "faces", output: "faces-masked", ratio: 0.5)
/// let summary = try await copy.run(analyzer: analyzer) { done, total, path in }
/// ```
public struct MaskedCopy: Sendable {
    public static let manifestName = "mask-manifest.tsv"

    public var source: String
    public var output: String
    /// Fraction of images to mask, 0…1.
    public var ratio: Double
    public var seed: UInt64 = 1
    /// Styles to choose from, one per image; default all of ``MaskStyle``.
    public var styles: [MaskStyle] = MaskStyle.allCases
    public var renderer = MaskRenderer()
    /// JPEG quality of masked images; default 92.
    public var jpegQuality = 92

    public init(source: String, output: String, ratio: Double, seed: UInt64 = 1, styles: [MaskStyle] = MaskStyle.allCases) {
        self.source = source
        self.output = output
        self.ratio = ratio
        self.seed = seed
        self.styles = styles.isEmpty ? MaskStyle.allCases : styles
    }

    public struct Summary: Sendable {
        public var images = 0
        public var masked = 0
        public var linked = 0
        public var withoutFace = 0
        public var errors = 0
    }

    /// Whether the image at `relativePath` is chosen for a mask.
    public func isChosen(_ relativePath: String) -> Bool {
        let hash = Shard.stableHash("\(seed):" + relativePath)
        return Double(hash >> 11) / Double(1 << 53) < ratio
    }

    /// The mask style of the image at `relativePath` (seeded, independent of the choice).
    public func style(for relativePath: String) -> MaskStyle {
        styles[Int(Shard.stableHash("\(seed):style:" + relativePath) % UInt64(styles.count))]
    }

    /// The look of the image's masks within their style (colour, print, fit, loops: see
    /// ``MaskRenderer``), seeded and never 0 (the canonical look); each further face in the
    /// image takes the next variant.
    public func variant(for relativePath: String) -> UInt64 {
        max(1, Shard.stableHash("\(seed):look:" + relativePath))
    }

    public func run(analyzer: FaceAnalyzer, progress: (Int, Int, String) -> Void) async throws(DatasetError) -> Summary {
        let listing = try DatasetWalker(root: source).walk()
        let fm = FileManager.default
        let sourceAbsolute = URL(fileURLWithPath: source).standardizedFileURL.path
        let outputAbsolute = URL(fileURLWithPath: output).standardizedFileURL.path
        if outputAbsolute == sourceAbsolute || outputAbsolute.hasPrefix(sourceAbsolute + "/") {
            throw .outputInsideInput(output: output, input: source)
        }
        if let contents = try? fm.contentsOfDirectory(atPath: output), !contents.isEmpty { throw .outputNotEmpty(path: output) }
        var summary = Summary()
        summary.images = listing.images.count
        var manifest = ""
        var done = 0
        func link(_ image: DatasetImage) throws(DatasetError) {
            let destination = output + "/" + image.relativePath
            do {
                try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: destination, withDestinationPath: sourceAbsolute + "/" + image.relativePath)
            } catch { throw .unwritable(path: destination, reason: error.localizedDescription) }
        }
        let chosen = listing.images.filter { isChosen($0.relativePath) }
        for image in listing.images where !isChosen(image.relativePath) {
            try link(image)
            summary.linked += 1
            manifest += "\(image.relativePath)\tlinked\t\n"
            done += 1
            progress(done, listing.images.count, image.relativePath)
        }
        let byPath = Dictionary(chosen.map { (source + "/" + $0.relativePath, $0) }, uniquingKeysWith: { a, _ in a })
        for await item in analyzer.analyzeFiles(chosen.map { source + "/" + $0.relativePath }, keepImages: true) {
            guard let image = byPath[item.path] else { continue }
            done += 1
            progress(done, listing.images.count, image.relativePath)
            switch item.result {
            case let .success(analyzed):
                guard !analyzed.faces.isEmpty, var picture = analyzed.image else {
                    try link(image)
                    summary.withoutFace += 1
                    manifest += "\(image.relativePath)\tnoface\t\n"
                    continue
                }
                let style = style(for: image.relativePath)
                let variant = variant(for: image.relativePath)
                for (k, face) in analyzed.faces.enumerated() {
                    renderer.render(on: &picture, landmarks: face.landmarks, style: style, variant: max(1, variant &+ UInt64(k)))
                }
                // Same name and format (JPEG or PNG by extension); WebP, which VisageCore cannot encode, gets .jpg appended.
                let destination = output + "/" + image.relativePath
                do {
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    let ext = (destination as NSString).pathExtension.lowercased()
                    try picture.write(to: ext == "webp" ? destination + ".jpg" : destination, jpegQuality: jpegQuality)
                } catch { throw .unwritable(path: destination, reason: error.localizedDescription) }
                summary.masked += 1
                manifest += "\(image.relativePath)\tmasked\t\(style.rawValue), \(analyzed.faces.count) face(s)\n"
            case let .failure(error):
                summary.errors += 1
                let message = ((error as? any LocalizedError)?.errorDescription ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
                manifest += "\(image.relativePath)\terror\t\(message)\n"
            }
        }
        do { try manifest.write(toFile: output + "/" + Self.manifestName, atomically: true, encoding: .utf8) } catch {
            throw .unwritable(path: output + "/" + Self.manifestName, reason: error.localizedDescription)
        }
        return summary
    }
}
