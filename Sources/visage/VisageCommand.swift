import ArgumentParser
import VisageGallery
import Foundation

@main
struct VisageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visage",
        abstract: "Find, align and analyse faces in photos.",
        discussion: """
        Models and the ONNX Runtime library live in $VISAGE_HOME (default ~/.cache/visage); \
        `make setup` (scripts/setup) provisions them.

        Exit codes: 0 ok, 1 failure, 3 some input was bad, 64 usage error.
        """,
        subcommands: [AnalyzeCommand.self, DetectCommand.self, EmbedCommand.self, VerifyCommand.self, BenchCommand.self, EvalCommand.self,
                      EnrollCommand.self, IdentifyCommand.self, PeopleCommand.self, GalleryCommand.self,
                      CalibrateCommand.self, TrainHeadCommand.self, DescribeCommand.self, AskCommand.self, DatasetCommand.self, ServeCommand.self,
                      VideoCommand.self, ModelsCommand.self]
    )

    /// argument-parser's own `main`, except that a file-system error no command turned into a
    /// message of its own is printed as its path and reason, not as Foundation's `Error Domain=…` dump.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as GalleryError where error.isBadInput {
            // The gallery, its key or an import file is what was wrong: exit 3 as for a bad image.
            printError("Error: " + (error.errorDescription ?? "\(error)"))
            exit(withError: VisageExitCode.badInput)
        } catch {
            exit(withError: FileSystemFailure.readable(error))
        }
    }
}

private extension GalleryError {
    /// Whether the user's input caused it (exit 3), not the environment or a programming error (exit 1).
    var isBadInput: Bool {
        switch self {
        case .storeUnavailable, .analyzerRequired: false
        default: true
        }
    }
}

/// Foundation's file errors in words: "Error: out/annotated: a file of that name is in the way".
enum FileSystemFailure {
    static func readable(_ error: any Error) -> any Error {
        let bridged = error as NSError
        guard bridged.domain == NSCocoaErrorDomain, let message = message(bridged) else { return error }
        return CommandFailure(message)
    }

    static func message(_ error: NSError) -> String? {
        guard let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? (error.userInfo[NSURLErrorKey] as? URL)?.path else { return nil }
        return "\(path): \(reason(error))."
    }

    /// The system's reason ("Not a directory") for a Foundation file error, else one said in words.
    static func reason(_ error: NSError) -> String {
        guard error.domain == NSCocoaErrorDomain else { return error.localizedDescription }
        let reason: String
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code)))
        } else {
            switch CocoaError.Code(rawValue: error.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: reason = "No such file or directory"
            case .fileReadNoPermission, .fileWriteNoPermission: reason = "Permission denied"
            case .fileWriteFileExists: reason = "a file of that name is in the way"
            case .fileWriteOutOfSpace: reason = "No space left on device"
            case .fileWriteVolumeReadOnly: reason = "Read-only file system"
            case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: reason = "the file cannot be read as text"
            default: reason = CocoaError.Code(rawValue: error.code).isWriteError ? "it cannot be written" : "it cannot be read"
            }
        }
        return reason
    }
}

private extension CocoaError.Code {
    var isWriteError: Bool { (512...642).contains(rawValue) }
}
