import ArgumentParser
import Foundation
import Visage
import VisageJSON
import VisageAsk
import VisageCore
import VisageGallery
import VisageModels

/// The optional gallery of `describe` and `ask`: identities are looked up only when it is given.
struct OptionalGalleryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A gallery (SQLite file made by `visage enroll`) to say who faces are; without it Visage does not name anyone.", valueName: "file"))
    var gallery: String?

    @Option(help: ArgumentHelp("File holding the 32-byte key of encrypted templates (default: $VISAGE_GALLERY_KEY).", valueName: "file"))
    var keyFile: String?

    @Option(help: "Similarity at or above which a gallery candidate is a match (default: the calibrated gallery threshold, 0.4952).")
    var threshold: Float?

    func validate() throws {
        try validateSimilarity(threshold, "--threshold")
    }
}

/// Analyses one photo for `describe` and `ask`: every measurement the pipeline has, plus
/// identities when a gallery is given.
enum PhotoQuestioning {
    /// Everything the pipeline measures except the embedding when there is no gallery to
    /// compare it with (the aligned crop, kept for sharpness, needs the embedder to run anyway).
    static let tasks: FaceAnalyzer.Tasks = .all

    static func analyze(_ path: String, analyzer: FaceAnalyzer, gallery: OptionalGalleryOptions) async throws -> (AnalyzedImage, PhotoAnalysis) {
        let analyzed: AnalyzedImage
        do {
            analyzed = try await analyzer.analyze(contentsOf: path)
        } catch {
            printError("\(path): \(FaceReport.message(for: error))")
            throw VisageExitCode.badInput
        }
        let faces = analyzed.faces
        let attributeModels = AttributeModels(analyzer.configuration)
        guard let location = gallery.gallery else {
            return (analyzed, PhotoAnalysis(faces: faces, width: analyzed.width, height: analyzed.height, attributeModels: attributeModels))
        }
        if !PostgresLocation.isPostgres(location), let problem = GalleryPath.problem(with: location, creating: false) {
            printError("Error: " + problem)
            throw VisageExitCode.badInput
        }
        var configuration = Gallery.Configuration()
        if let threshold = gallery.threshold { configuration.threshold = threshold }
        configuration.auditsIdentifications = true
        let cipher = try gallery.keyFile.map { try TemplateCipher(keyFile: $0) } ?? TemplateCipher.fromEnvironment()
        let opened: Gallery
        do {
            opened = try await Gallery.open(location, cipher: cipher, analyzer: nil, configuration: configuration)
        } catch let error as GalleryError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
        do {
            return (analyzed, try await PhotoAnalysis.identifying(faces: faces, width: analyzed.width, height: analyzed.height,
                                                                    in: opened, galleryName: (location as NSString).lastPathComponent,
                                                                    attributeModels: attributeModels))
        } catch let error as GalleryError {
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            throw VisageExitCode.badInput
        }
    }
}
