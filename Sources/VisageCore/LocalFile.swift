#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes through POSIX calls, so every failure comes back as an
/// ``ImageError`` carrying the system's own reason ("No such file or directory").
enum LocalFile {
    static func contents(of path: String) throws(ImageError) -> [UInt8] {
        let file: OpenedFile
        do { file = try OpenedFile(readingAt: path) } catch { throw .unreadable(source: path, reason: error.reason) }
        let descriptor = file.descriptor
        defer { close(descriptor) }
        // A pipe (a FIFO in a photo folder) or a device may never end (/dev/zero), so reading it
        // could hang or exhaust memory.
        if let refusal = file.kind.refusal { throw .unreadable(source: path, reason: refusal) }
        let size = file.size
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

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
