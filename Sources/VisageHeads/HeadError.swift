public import Foundation

/// Why a head could not be trained, read or applied; each message names the input at fault.
public enum HeadError: LocalizedError, Equatable {
    /// The training folder is missing or holds fewer than two label folders with photos.
    case badTrainingFolder(path: String, reason: String)
    /// A label has too few usable photos (a face was found in fewer than `needed`).
    case tooFewExamples(label: String, usable: Int, needed: Int)
    /// A head file that cannot be read or is not a Visage head.
    case unreadableHead(path: String, reason: String)
    /// A head trained on features this build cannot compute, or on another model's features.
    case incompatibleHead(path: String, reason: String)
    case unwritable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .badTrainingFolder(path, reason):
            "\(path): \(reason) Expected one folder per label holding that label's photos (DIR/<label>/*.jpg)."
        case let .tooFewExamples(label, usable, needed):
            "label \"\(label)\": only \(usable) photo\(usable == 1 ? "" : "s") with a face; at least \(needed) are needed."
        case let .unreadableHead(path, reason):
            "\(path): not a usable head file (\(reason)). Make one with `visage train-head`."
        case let .incompatibleHead(path, reason):
            "\(path): \(reason)"
        case let .unwritable(path, reason):
            "\(path): could not write the head (\(reason))."
        }
    }
}
