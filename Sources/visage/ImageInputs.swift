import VisageCore
import Foundation

/// Expands the command line's files and folders into the list of images to process.
///
/// Folders are walked recursively and keep only image extensions, sorted for a stable order;
/// files named explicitly are kept whatever their extension, so that a bad file given by name
/// is reported rather than silently skipped.
enum ImageInputs {

    static func expand(_ arguments: [String]) -> [String] {
        var paths: [String] = []
        let fm = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue else {
                paths.append(argument)
                continue
            }
            let root = URL(fileURLWithPath: argument, isDirectory: true)
            guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { continue }
            var found: [String] = []
            for case let url as URL in walker where ImageFormat.fileExtensions.contains(url.pathExtension.lowercased()) {
                found.append(argument.hasSuffix("/") ? argument + relative(url, to: root) : argument + "/" + relative(url, to: root))
            }
            paths += found.sorted()
        }
        return paths
    }

    private static func relative(_ url: URL, to root: URL) -> String {
        let base = root.standardizedFileURL.path
        let full = url.standardizedFileURL.path
        return full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : url.lastPathComponent
    }
}

/// Checks of an output path made before any work, so that a mistyped path fails at once
/// with a reason rather than after the analysis with Foundation's error code.
enum OutputPath {
    /// Why `path` cannot be written as a file: a folder stands there, or its folder is missing.
    static func fileProblem(_ path: String) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a folder" }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !(fm.fileExists(atPath: parent, isDirectory: &isDirectory) && isDirectory.boolValue) {
            return "the folder \(parent) does not exist"
        }
        return nil
    }

    /// Makes the folder `path` (and its parents), saying which path is in the way when a file is.
    static func makeFolder(_ path: String) throws {
        let fm = FileManager.default
        try FileInPlaceOfFolder.check(path)
        guard !fm.fileExists(atPath: path) else { return }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("Cannot create the folder \(path): " + (FileSystemFailure.message(error as NSError) ?? FaceReport.message(for: error)))
        }
    }
}

/// A file stands where a folder should be: the one check, and message, for every folder a
/// command reads or writes (`analyze --annotate`, `video tracks`, the dataset tools' outputs,
/// `enroll --folders`). Each command keeps its exit code: an output folder fails with 1 (the
/// error reaches argument-parser), `enroll --folders` exits 3 (bad input).
///
/// ```swift
/// try FileInPlaceOfFolder.check(output)   // "out/crops is a file, not a folder."
/// ```
struct FileInPlaceOfFolder: LocalizedError {
    let path: String

    var errorDescription: String? { "\(path) is a file, not a folder." }

    /// Throws when something other than a folder stands at `path`; a folder, or nothing, passes.
    static func check(_ path: String) throws(FileInPlaceOfFolder) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw FileInPlaceOfFolder(path: path)
        }
    }
}
