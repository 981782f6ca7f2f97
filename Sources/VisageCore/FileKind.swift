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

/// A file open for reading (LocalFile, SmallFile), and what its descriptor says it is.
struct OpenedFile {
    let descriptor: Int32
    let kind: FileKind
    let size: Int

    /// Why a path could not be opened, in the system's words.
    struct Failure: Error {
        let reason: String
    }

    /// Opens `path` with O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
    /// writer forever (a regular file ignores the flag). The kind comes from the open
    /// descriptor, not the path, so nothing can swap the file between the check and the read.
    /// The caller closes `descriptor`.
    init(readingAt path: String) throws(Failure) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            // A name whose bytes are not UTF-8 reaches Swift with each bad byte replaced by
            // U+FFFD, so the file listed in a folder cannot be opened by that name: say why
            // instead of "No such file or directory" for a file the user can see.
            if errno == ENOENT, path.unicodeScalars.contains("\u{FFFD}") { throw Failure(reason: Self.notUTF8Name) }
            throw Failure(reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure(reason: reason)
        }
        kind = FileKind(mode: status.st_mode)
        size = Int(status.st_size)
    }

    /// The reason given for a file whose name is not UTF-8.
    static let notUTF8Name = "its name is not valid UTF-8 (each byte that is not is shown as \u{FFFD}), so it cannot be opened by that name; rename the file with UTF-8 characters (convmv does that for whole folders)"
}
