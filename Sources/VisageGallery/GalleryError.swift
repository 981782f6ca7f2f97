public import Foundation

/// What went wrong with a gallery, with a message that says what to do about it.
///
/// `errorDescription` names no person and holds no embedding; paths appear only where the
/// user gave them and needs to see which file was refused.
public enum GalleryError: Error, Sendable, Equatable {
    /// The file (or PostgreSQL database) exists but is not a Visage gallery: not SQLite at all, or another program's database.
    case notAGallery(path: String, reason: String)
    /// The file is a Visage gallery (or claims to be) but its pages or a stored template are damaged.
    case damaged(path: String, detail: String)
    /// The gallery was written by a newer Visage whose schema this build does not know.
    case newerSchema(path: String)
    /// No person has this id.
    case unknownPerson(id: Int64)
    /// The gallery's templates are encrypted and no key was given.
    case keyRequired
    /// A key was given but it does not open this gallery's templates.
    case wrongKey
    /// A key was given for a gallery created without encryption (or the other way round).
    case encryptionMismatch(galleryEncrypted: Bool)
    /// The key material could not be read or has the wrong size.
    case invalidKey(reason: String)
    /// An embedding has the wrong size or comes from another model than the gallery's.
    case incompatibleEmbedding(reason: String)
    /// Enrolment found no usable face in an image.
    case noFace(image: String)
    /// Enrolment needs at least one image or template.
    case nothingToEnroll
    /// A `postgres://` URL that cannot be used as it is written.
    case invalidLocation(String, reason: String)
    /// The gallery's database server cannot be reached, or refuses the user or the database.
    /// `location` is the URL without its password.
    case storeUnavailable(location: String, reason: String)
    /// A line of an import file could not be read.
    case invalidImport(line: Int, reason: String)
    /// The import file itself could not be read (missing, a folder, a device, no permission).
    case unreadableImport(path: String, reason: String)
    /// The gallery was opened without a face analyzer, so images cannot be embedded.
    case analyzerRequired
    /// The gallery requires a consent record to enrol someone, and `name` came without one
    /// (``Gallery/consentMetadataKey`` in the metadata).
    case consentMissing(name: String)
    /// Reviewed thresholds that cannot be stored (``ReviewedThresholds/problem``), or stored ones
    /// that cannot be read back.
    case invalidThresholds(reason: String)
}

extension GalleryError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .notAGallery(path, reason):
            "\(path) is not a Visage gallery (\(reason)). Give a new file name to create one, or the path of an existing gallery."
        case let .damaged(path, detail):
            "\(path) is a damaged gallery (\(detail)). Restore it from a backup (`visage gallery export` writes one); "
                + "SQLite's `.recover` command (sqlite3 \(path) .recover) may save what is left of it."
        case let .newerSchema(path):
            "\(path) was written by a newer version of Visage; upgrade Visage to open it."
        case let .unknownPerson(id):
            "No person with id \(id) in the gallery; `visage people list` shows the ids."
        case .keyRequired:
            "The gallery's templates are encrypted: give the key with --key-file or VISAGE_GALLERY_KEY."
        case .wrongKey:
            "The key does not decrypt this gallery's templates; use the key the gallery was created with."
        case let .encryptionMismatch(encrypted):
            encrypted
                ? "The gallery's templates are encrypted: give the key with --key-file or VISAGE_GALLERY_KEY."
                : "The gallery was created without encryption; a key cannot be added to it afterwards (export and import into a new encrypted gallery)."
        case let .invalidKey(reason):
            "Unusable encryption key: \(reason). A key is 32 random bytes, raw or as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)."
        case let .incompatibleEmbedding(reason):
            "Incompatible embedding: \(reason)."
        case let .noFace(image):
            "No face found in \(image)."
        case .nothingToEnroll:
            "Nothing to enrol: give at least one image with a face."
        case let .invalidLocation(location, reason):
            "Cannot use \(location) as a gallery: \(reason). A PostgreSQL gallery is postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=require]."
        case let .storeUnavailable(location, reason):
            "The gallery database at \(location) failed: \(reason). Check that the server is running and that the user, password (in the URL or $PGPASSWORD) and database are right."
        case let .invalidImport(line, reason):
            "Import line \(line): \(reason)."
        case let .unreadableImport(path, reason):
            "Cannot read the import file \(path): \(reason)."
        case .analyzerRequired:
            "This gallery was opened without a face analyzer, so it cannot embed images."
        case let .consentMissing(name):
            "This gallery enrols people only with a record of their consent, and \(name) came without one: "
                + "give it as --consent TEXT (the metadata key `\(Gallery.consentMetadataKey)`), for example where the signed form is kept."
        case let .invalidThresholds(reason):
            "Reviewed thresholds: \(reason). Set them with `visage gallery threshold --set T [--set-masked M] --note TEXT`, or go back to the calibrated defaults with `--clear`."
        }
    }
}
