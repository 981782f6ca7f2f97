import VisageCore
import Foundation

/// Lists the images of an identity-folder dataset, `root/<identity>/**/*.{jpg,jpeg,png,webp}`,
/// in a deterministic order (byte order of the relative path).
///
/// Hidden files and folders are skipped, as are files directly in `root` (a manifest or a
/// README is not an identity). Symbolic links to images are followed, so a copy made of links
/// (``NoisyCopy``) walks like the original.
///
/// ```swift
/// let listing = try DatasetWalker(root: "../shared/data/cfp/Data/Images").walk()
/// print(listing.images.count, listing.identities.count)   // 7000 500
/// ```
public struct DatasetWalker: Sendable {
    /// Extensions kept, lower-case; the case of a file's extension does not matter.

    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// What a walk found.
    public struct Listing: Sendable {
        /// Images, sorted by relative path.
        public var images: [DatasetImage]
        /// Identity folders holding at least one image, sorted.
        public var identities: [String]
        /// Folders that could not be listed, and entries whose names are not UTF-8 (so cannot be
        /// opened), with the reason; their images are missing from `images`.
        public var unreadableFolders: [(path: String, reason: String)]
    }

    /// Walks the dataset.
    ///
    /// - Throws: ``DatasetError/missing(path:)``, ``DatasetError/notADirectory(path:)`` or
    ///   ``DatasetError/empty(path:)``.
    public func walk() throws(DatasetError) -> Listing {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory) else { throw .missing(path: root) }
        guard isDirectory.boolValue else { throw .notADirectory(path: root) }
        let top: [String]
        do {
            top = try fm.contentsOfDirectory(atPath: root)
        } catch {
            throw .malformed(path: root, reason: "the folder cannot be listed (\(error.localizedDescription))")
        }
        var images: [DatasetImage] = []
        var unreadable: [(path: String, reason: String)] = []
        for identity in top where !identity.hasPrefix(".") {
            let folder = root + "/" + identity
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory) else {
                // Files in the root are ignored anyway; a name without an extension is taken for a folder.
                if identity.unicodeScalars.contains("\u{FFFD}"), (identity as NSString).pathExtension.isEmpty {
                    unreadable.append((folder, Self.notUTF8Name))
                }
                continue
            }
            guard isDirectory.boolValue else { continue }
            walk(folder: folder, relative: identity, identity: identity, depth: 0, into: &images, unreadable: &unreadable)
        }
        guard !images.isEmpty else { throw .empty(path: root) }
        images.sort()
        let identities = Array(Set(images.map(\.identity))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return Listing(images: images, identities: identities, unreadableFolders: unreadable.sorted { $0.path < $1.path })
    }

    /// Why a folder whose name is not UTF-8 is skipped: Foundation lists it with U+FFFD for each
    /// byte that is not, and no file call finds it by that name.
    static let notUTF8Name = "its name is not valid UTF-8 (shown with \u{FFFD}), so it cannot be opened by that name; rename it with UTF-8 characters (convmv does that for whole folders)"

    /// Recursion by hand rather than `FileManager.enumerator`, which reports unreadable
    /// folders only through a callback and follows no symlinked files consistently across platforms.
    private func walk(folder: String, relative: String, identity: String, depth: Int,
                      into images: inout [DatasetImage], unreadable: inout [(path: String, reason: String)]) {
        let fm = FileManager.default
        // A link cycle must not recurse for ever; real datasets are a few levels deep.
        guard depth < 32 else { return }
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: folder)
        } catch {
            unreadable.append((folder, "cannot be listed"))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let path = folder + "/" + name
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                // A dangling link: list it so that its error is recorded, not lost.
                if ImageFormat.hasImageExtension(name) {
                    images.append(DatasetImage(relativePath: relative + "/" + name, identity: identity))
                } else if name.unicodeScalars.contains("\u{FFFD}") {
                    unreadable.append((path, Self.notUTF8Name))
                }
                continue
            }
            if isDirectory.boolValue {
                walk(folder: path, relative: relative + "/" + name, identity: identity, depth: depth + 1, into: &images, unreadable: &unreadable)
            } else if ImageFormat.hasImageExtension(name) {
                images.append(DatasetImage(relativePath: relative + "/" + name, identity: identity))
            }
        }
    }
}
