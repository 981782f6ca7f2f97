public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that a command reads whole and that is not a photo: a keys file, a gallery key, an
/// import file, a pairs list. A pipe is read like a regular file, so that
/// `--keys <(vault kv get …)` keeps a secret off the disk; a folder or a device is refused by
/// name instead of being read forever (/dev/zero never ends), and a named pipe that nobody
/// writes to is refused after a wait instead of hanging the command. What it reads is bounded
/// (``defaultLimit``): `--keys <(yes)` is refused once it passes the limit instead of filling
/// memory until the system kills the command.
public enum SmallFile {
    /// The most bytes read unless a caller says otherwise: 1 GiB, far above any keys file,
    /// head or pairs list, and above a gallery export of about a hundred thousand people.
    public static let defaultLimit = 1 << 30
    /// Why `path` could not be read, in words ("No such file or directory", "it is a folder,
    /// not a file").
    public struct Unreadable: Error, Sendable, Equatable {
        public let path: String
        public let reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// The whole of `path`. A named pipe is read until its writer closes it; one that no
    /// program opens for writing within `writerWait` seconds is refused, instead of waiting for
    /// a writer forever as a plain open would. More than `limit` bytes are refused (a regular
    /// file before anything is read, a pipe once it has sent that much).
    public static func contents(of path: String, writerWait: Double = 10, limit: Int = defaultLimit) throws(Unreadable) -> Data {
        let file: OpenedFile
        do { file = try OpenedFile(readingAt: path) } catch { throw Unreadable(path: path, reason: error.reason) }
        let descriptor = file.descriptor, kind = file.kind
        defer { close(descriptor) }
        if kind != .namedPipe, let refusal = kind.refusal { throw Unreadable(path: path, reason: refusal) }
        let tooLarge = Unreadable(path: path, reason: "it holds more than \(described(limit)), more than a file of this kind should")
        if file.size > limit { throw tooLarge }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var waitedForWriter = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                guard data.count + count <= limit else { throw tooLarge }
                data.append(contentsOf: buffer[0..<count])
                continue
            }
            if count == 0 {
                // End of file, or a pipe with no writer: before anything arrived, wait once
                // for a writer that has not opened it yet (`mkfifo k; vault … > k &`).
                guard kind == .namedPipe, data.isEmpty, !waitedForWriter else { return data }
                waitedForWriter = true
                guard wait(for: descriptor, seconds: writerWait) else {
                    throw Unreadable(path: path, reason: "it is a named pipe (FIFO) that no program wrote to within \(Int(writerWait)) s")
                }
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: _ = wait(for: descriptor, seconds: nil)  // a writer is there: wait for its bytes
            default: throw Unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// A limit in words: "1024 MiB", or bytes below a MiB.
    private static func described(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    /// Whether `descriptor` became readable (or its writer hung up) within `seconds`; nil waits without limit.
    private static func wait(for descriptor: Int32, seconds: Double?) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let timeout = seconds.map { Int32(max(0, $0) * 1000) } ?? -1
        while true {
            let ready = poll(&entry, 1, timeout)
            if ready < 0, errno == EINTR { continue }
            return ready > 0
        }
    }
}
