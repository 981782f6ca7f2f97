import ArgumentParser
import Foundation
import Visage
import VisageCore
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

    @Option(help: "Similarity at or above which the best candidate is a match (default: the gallery's reviewed threshold, `visage gallery threshold`, else the calibrated one).")
    var threshold: Float?

    @Option(help: "The same for a face the mask classifier calls masked, compared through the attention head (default: the gallery's reviewed masked threshold, else the calibrated one).")
    var maskedThreshold: Float?

    func validate() throws {
        try validateSimilarity(threshold, "--threshold")
        try validateSimilarity(maskedThreshold, "--masked-threshold")
    }

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
        var configuration = self.configuration
        configure(&configuration)
        return try await opening(creating: creating) {
            try await Gallery.open(gallery, cipher: try cipher(), analyzer: analyzer, configuration: configuration)
        }
    }

    /// What a gallery opened with these options decides with, read from its store without
    /// loading the templates (a million of them would take a while to index for two numbers).
    func thresholds() async throws -> Gallery.Thresholds {
        try await Gallery.thresholds(in: try await openExistingStore(), configuration: configuration)
    }

    /// `--threshold` and `--masked-threshold` where given.
    private var configuration: Gallery.Configuration {
        var configuration = Gallery.Configuration()
        configuration.threshold = threshold
        configuration.maskedThreshold = maskedThreshold
        return configuration
    }

    /// The gallery's store alone, never created, for what must work when the gallery itself
    /// would not open (clearing a stored setting it cannot read).
    func openExistingStore() async throws -> any GalleryStore {
        try await opening(creating: false) { try await Gallery.openStore(gallery, cipher: try cipher()) }
    }

    /// Checks the path first, then turns the errors of a file that is no gallery into bad input
    /// that names it.
    private func opening<Opened>(creating: Bool, _ body: () async throws -> Opened) async throws -> Opened {
        if !PostgresLocation.isPostgres(gallery), let problem = GalleryPath.problem(with: gallery, creating: creating) {
            printError(problem)
            throw VisageExitCode.badInput
        }
        do {
            return try await body()
        } catch let error as GalleryError {
            // A file that is not a gallery (or one from a newer Visage) is bad input, not a failure of ours.
            switch error {
            case .notAGallery, .damaged, .newerSchema, .invalidLocation, .storeUnavailable:
                printError(error.localizedDescription)
                throw VisageExitCode.badInput
            default:
                throw error
            }
        } catch where !PostgresLocation.isPostgres(gallery) {
            // SQLite's own errors ("unable to open database file") name no file.
            printError("Cannot open the gallery \(gallery): \(FaceReport.message(for: error))")
            throw VisageExitCode.badInput
        }
    }
}

/// What is wrong with a SQLite gallery path, checked before SQLite sees it: SQLite makes a
/// zero-byte file into a new gallery and says only "unable to open database file" for a folder.
enum GalleryPath {
    /// - Parameter creating: whether the command may make a new gallery (enroll, import, serve).
    /// - Returns: the message to print, or nil when the path can be opened.
    static func problem(with path: String, creating: Bool) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "\(path) is a folder, not a gallery. Give the path of a gallery file\(creating ? ", or a new file name to create one" : "")." }
            // A command that only reads must not turn an empty file into a gallery.
            // Only a regular file: a named pipe's size is 0 too, and the store names it for what it is.
            if !creating, FileKind(of: path) == .regular, let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
                return "\(path) is empty (0 bytes), not a gallery. Check the path, or create one with `visage enroll --gallery \(path) …`."
            }
            return nil
        }
        guard creating else {
            return "There is no gallery at \(path). Check the path, or create one with `visage enroll --gallery \(path) …`."
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !(fm.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return "Cannot create the gallery \(path): the folder \(parent) does not exist."
        }
        return nil
    }
}

/// Prints a line and flushes it at once, so that a reader of a pipe sees every result the
/// moment it is committed, even if the process is killed right after.
func printNow(_ line: String) {
    print(line)
    fflush(nil)  // all streams: naming `stdout` is shared mutable state to Swift 6
}
