import ArgumentParser
import Foundation
import Visage
import VisageGallery

/// Options of the commands that open a gallery: where it is and the key of its templates.
struct GalleryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        The gallery: a SQLite file (enroll, import and serve create it when missing), or a PostgreSQL database as \
        postgres://USER@HOST[:PORT]/DATABASE (password in $PGPASSWORD or after USER:; tables created in an empty database).
        """, valueName: "file|url"))
    var gallery: String

    @Option(help: ArgumentHelp("File holding the 32-byte key of encrypted templates (raw, hex or base64); default: $VISAGE_GALLERY_KEY.", valueName: "file"))
    var keyFile: String?

    @Option(help: "Similarity at or above which the best candidate is a match (default: the calibrated gallery threshold).")
    var threshold: Float?

    @Option(help: "The same for a face the mask classifier calls masked, compared through the attention head (default: the calibrated masked threshold).")
    var maskedThreshold: Float?

    /// The gallery as messages name it: a PostgreSQL URL without its password.
    var shownLocation: String {
        PostgresLocation.isPostgres(gallery) ? ((try? PostgresLocation(gallery).redacted) ?? "the PostgreSQL gallery") : gallery
    }

    func cipher() throws -> TemplateCipher? {
        if let keyFile { return try TemplateCipher(keyFile: keyFile) }
        return try TemplateCipher.fromEnvironment()
    }

    /// Opens the gallery. Only commands that add people (`creating`) make a new SQLite file:
    /// elsewhere a mistyped path would otherwise become an empty gallery, and `identify` would
    /// answer "unknown" for everyone instead of saying the gallery is not there.
    func open(analyzer: FaceAnalyzer? = nil, creating: Bool = false, configure: (inout Gallery.Configuration) -> Void = { _ in }) async throws -> Gallery {
        if !creating, !PostgresLocation.isPostgres(gallery), !FileManager.default.fileExists(atPath: gallery) {
            printError("There is no gallery at \(gallery). Check the path, or create one with `visage enroll --gallery \(gallery) …`.")
            throw VisageExitCode.badInput
        }
        var configuration = Gallery.Configuration()
        if let threshold { configuration.threshold = threshold }
        if let maskedThreshold { configuration.maskedThreshold = maskedThreshold }
        configure(&configuration)
        do {
            return try await Gallery.open(gallery, cipher: try cipher(), analyzer: analyzer, configuration: configuration)
        } catch let error as GalleryError {
            // A file that is not a gallery (or one from a newer Visage) is bad input, not a failure of ours.
            switch error {
            case .notAGallery, .newerSchema, .invalidLocation, .storeUnavailable:
                printError(error.localizedDescription)
                throw VisageExitCode.badInput
            default:
                throw error
            }
        }
    }
}

/// Prints a line and flushes it at once, so that a reader of a pipe sees every result the
/// moment it is committed, even if the process is killed right after.
func printNow(_ line: String) {
    print(line)
    fflush(nil)  // all streams: naming `stdout` is shared mutable state to Swift 6
}
