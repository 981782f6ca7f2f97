#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names, links followed: checked before a file is opened, because opening a named
/// pipe for reading waits for a writer (a FIFO in a photo folder, or given as a gallery, hung
/// the CLI for good) and a device such as /dev/zero never ends.
///
/// ```swift
/// guard FileKind(of: path) == .regular else { throw … }
/// ```
public enum FileKind: Sendable, Equatable {
    case missing
    case regular
    case directory
    case namedPipe
    /// A device, a socket.
    case other

    public init(of path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { self = .missing; return }
        self.init(mode: status.st_mode)
    }

    /// The kind a `stat`'s mode says: for a file already open, whose descriptor `fstat` reads.
    init(mode: mode_t) {
        self = switch mode & S_IFMT {
        case S_IFREG: .regular
        case S_IFDIR: .directory
        case S_IFIFO: .namedPipe
        default: .other
        }
    }

    /// Why a file of this kind cannot be read as one, for messages; nil for a regular file or a missing path.
    public var refusal: String? {
        switch self {
        case .regular, .missing: nil
        case .directory: "it is a folder, not a file"
        case .namedPipe: "it is a named pipe (FIFO), not a regular file"
        case .other: "it is not a regular file"
        }
    }
}
