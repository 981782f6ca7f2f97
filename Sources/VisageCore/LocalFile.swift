#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes through POSIX calls, so every failure comes back as an
/// ``ImageError`` carrying the system's own reason ("No such file or directory").
enum LocalFile {
    static func contents(of path: String) throws(ImageError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO (a named pipe in a photo folder) for reading would otherwise
        // wait for a writer forever; the type check below then refuses it. A regular file
        // ignores the flag.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            // A name whose bytes are not UTF-8 reaches Swift with each bad byte replaced by
            // U+FFFD, so the file listed in a folder cannot be opened by that name: say why
            // instead of "No such file or directory" for a file the user can see.
            if errno == ENOENT, path.unicodeScalars.contains("\u{FFFD}") { throw .unreadable(source: path, reason: notUTF8Name) }
            throw .unreadable(source: path, reason: lastErrorText())
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(source: path, reason: lastErrorText()) }
        // Checked on the open descriptor, not the path, so nothing can swap the file in between.
        // A pipe or device may never end (/dev/zero), so reading it could hang or exhaust memory.
        if let refusal = FileKind(mode: status.st_mode).refusal { throw .unreadable(source: path, reason: refusal) }
        let size = Int(status.st_size)
        guard size > 0 else { throw .empty(source: path) }
        // Look at the first bytes before reading the rest, so that a large file that is no
        // image (a video, a disk image in a photo folder) is refused without being read whole.
        var head = [UInt8](repeating: 0, count: min(size, 512))
        let headCount = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        if headCount > 0 {
            head.removeLast(head.count - headCount)
            // Only "no image" is final here; a damaged header is left to the decoder, which
            // sees the whole file (after the size limit below).
            if case let .unsupported(detail) = ImageFormat.recognise(head) { throw .unsupportedFormat(source: path, detail: detail) }
        }
        guard size <= maxImageFileBytes else { throw .fileTooLarge(source: path, bytes: size, limit: maxImageFileBytes) }

        var failure: ImageError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = read(descriptor, buffer.baseAddress! + initialized, size - initialized)
                if count > 0 {
                    initialized += count
                } else if count == 0 {
                    break  // the file shrank while we read it; decoding will judge what is left
                } else if errno != EINTR {
                    failure = .unreadable(source: path, reason: lastErrorText())
                    return
                }
            }
        }
        if let failure { throw failure }
        guard !bytes.isEmpty else { throw .empty(source: path) }
        return bytes
    }

    static func save(_ bytes: [UInt8], to path: String) throws(ImageError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(destination: path, reason: lastErrorText()) }
        var failure: ImageError?
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count >= 0 {
                    written += count
                } else if errno != EINTR {
                    failure = .unwritable(destination: path, reason: lastErrorText())
                    return
                }
            }
        }
        // close reports deferred write errors (NFS, full disks) that write did not.
        if close(descriptor) != 0, failure == nil { failure = .unwritable(destination: path, reason: lastErrorText()) }
        if let failure { throw failure }
    }

    /// The largest file read as an image: 1 GiB. A 50-megapixel PNG of 16-bit RGBA with
    /// incompressible pixels is about 400 MB; anything larger is not a photo, and reading it
    /// whole would take the memory of the machine.
    static let maxImageFileBytes = 1 << 30

    /// The reason given for a file whose name is not UTF-8.
    static let notUTF8Name = "its name is not valid UTF-8 (each byte that is not is shown as \u{FFFD}), so it cannot be opened by that name; rename the file with UTF-8 characters (convmv does that for whole folders)"

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
