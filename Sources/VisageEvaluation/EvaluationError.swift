public import Foundation
import VisageCore

/// What can stop an evaluation before it has numbers: a data set that is missing or does not
/// follow its documented layout. Each message names the file or folder and says what to do.
///
/// ```swift
/// do { _ = try CFPProtocol(root: "../shared/data/cfp", kind: .frontalFrontal) }
/// catch let error as EvaluationError { print(error.localizedDescription) }
/// ```
public enum EvaluationError: Error, LocalizedError, Equatable, Sendable {
    /// The folder or file the data set should be in does not exist.
    case missing(path: String, hint: String)
    /// A folder was expected and the path is something else (a file, a pipe).
    case notAFolder(path: String, hint: String)
    /// A file exists but does not parse; `line` is 1-based when known.
    case malformed(path: String, line: Int?, reason: String)
    /// The data set parsed but holds nothing to evaluate.
    case empty(path: String, what: String)
    /// An output file or folder could not be written.
    case unwritable(path: String, reason: String)
    /// The model the evaluation needs does not exist in Visage yet.
    case modelNotAvailable(task: String, detail: String)
    /// The model ran and failed (a runtime error); the reason is its message.
    case modelFailed(reason: String)

    public var errorDescription: String? {
        switch self {
        case let .missing(path, hint):
            return "\(path) does not exist. \(hint)"
        case let .notAFolder(path, hint):
            return "\(path) is not a folder. \(hint)"
        case let .malformed(path, line, reason):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
        case let .empty(path, what):
            return "\(path) holds no \(what)."
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason)"
        case let .modelNotAvailable(task, detail):
            return "no \(task) model is available in Visage yet, so there is nothing to evaluate. \(detail)"
        case let .modelFailed(reason):
            return "the model failed while evaluating: \(reason)"
        }
    }

    static func requireDirectory(_ path: String, hint: String) throws(EvaluationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path: path, hint: hint) }
        guard isDirectory.boolValue else { throw .notAFolder(path: path, hint: hint) }
    }

    static func readText(_ path: String, hint: String) throws(EvaluationError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path, hint: hint) }
        let data: Data
        do { data = try SmallFile.contents(of: path) } catch { throw .malformed(path: path, line: nil, reason: error.reason) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(path: path, line: nil, reason: "the file is not UTF-8 text")
        }
        return text
    }
}
