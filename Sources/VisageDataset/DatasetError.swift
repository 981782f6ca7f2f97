public import Foundation

/// What stops a dataset tool before it has done anything useful: a folder that is missing or
/// is a file, an output that cannot be written, a cache made for another folder or model. Each
/// message names the path and says what to do. A single bad image is never one of these: it is
/// recorded with its error and the run goes on.
///
/// ```swift
/// do { _ = try DatasetWalker(root: "faces").walk() }
/// catch let error as DatasetError { print(error.localizedDescription) }
/// ```
public enum DatasetError: Error, LocalizedError, Equatable, Sendable {
    /// The dataset folder does not exist.
    case missing(path: String)
    /// A file stands where a folder was expected.
    case notADirectory(path: String)
    /// The folder holds no `<identity>/…/*.jpg|jpeg|png|webp` images.
    case empty(path: String)
    /// An output folder or file could not be written.
    case unwritable(path: String, reason: String)
    /// An output folder exists and is not empty, and the tool refuses to mix its files in.
    case outputNotEmpty(path: String)
    /// A cache or manifest file exists but does not have the documented shape.
    case malformed(path: String, reason: String)
    /// The cache folder holds embeddings of another dataset folder or another model folder.
    case cacheMismatch(path: String, expected: String, found: String)
    /// A `--shard` value that is not `i/n` with 0 ≤ i < n.
    case invalidShard(String)
    /// The output folder is inside the input folder (the input is never written to).
    case outputInsideInput(output: String, input: String)

    public var errorDescription: String? {
        switch self {
        case let .missing(path):
            "\(path) does not exist. Give a folder with one sub-folder per identity (DIR/<identity>/*.jpg)."
        case let .notADirectory(path):
            "\(path) is a file, not a folder. Give a folder with one sub-folder per identity (DIR/<identity>/*.jpg)."
        case let .empty(path):
            "\(path) holds no images in identity folders (DIR/<identity>/**/*.jpg|jpeg|png|webp)."
        case let .unwritable(path, reason):
            "cannot write \(path): \(reason)"
        case let .outputNotEmpty(path):
            "\(path) already exists and is not empty; give a new or empty folder."
        case let .malformed(path, reason):
            "\(path): \(reason)"
        case let .cacheMismatch(path, expected, found):
            "\(path) was made for \(found), not \(expected); use another --cache folder or delete that file."
        case let .invalidShard(value):
            "--shard takes i/n with 0 ≤ i < n (0-based, as Kubernetes' JOB_COMPLETION_INDEX), not \(value)."
        case let .outputInsideInput(output, input):
            "\(output) is inside the dataset \(input); write outputs elsewhere (the input is never modified)."
        }
    }
}
