import Foundation
import Testing
import VisageTestSupport
import VisageCore
#if canImport(Glibc)
import Glibc
#endif

/// `SmallFile.contents`: keys, gallery keys, import files and pair lists, read whole.
struct SmallFileTests {
    @Test func readsARegularFileWhole() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = String(repeating: "0123456789abcdef", count: 10_000)  // several reads' worth
        try text.write(toFile: folder + "/pairs.csv", atomically: true, encoding: .utf8)
        #expect(try SmallFile.contents(of: folder + "/pairs.csv") == Data(text.utf8))
    }

    /// What `--key-file <(vault kv get …)` hands over: an anonymous pipe, named /dev/fd/N.
    @Test func readsAPipeUntilItsWriterCloses() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let written = Data("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n".utf8)
        _ = written.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        #expect(try SmallFile.contents(of: "/dev/fd/\(ends[0])") == written)
    }

    /// A named pipe whose writer opens it after the reader did is waited for, not read as empty.
    @Test func waitsForAWriterThatComesLate() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/key"
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            let handle = FileHandle(forWritingAtPath: fifo)
            handle?.write(Data("late\n".utf8))
            try? handle?.close()
        }
        writer.start()
        #expect(try SmallFile.contents(of: fifo, writerWait: 20) == Data("late\n".utf8))
    }

    /// A folder, a device and a named pipe nobody writes to are refused by name, at once or
    /// after the wait; none is read forever.
    @Test func refusesWhatIsNotAFileInWords() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/stale"
        #expect(mkfifo(fifo, 0o600) == 0)
        let cases: [(String, String)] = [
            (folder, "it is a folder, not a file"),
            ("/dev/zero", "it is not a regular file"),
            (folder + "/missing.csv", "No such file or directory"),
            (fifo, "it is a named pipe (FIFO) that no program wrote to within 0 s"),
        ]
        for (path, reason) in cases {
            #expect(throws: SmallFile.Unreadable(path: path, reason: reason)) { try SmallFile.contents(of: path, writerWait: 0.2) }
        }
    }

    /// More than the limit is refused by name: a regular file before it is read, a pipe (which
    /// `--keys <(yes)` would make endless) once it has sent that much.
    @Test func refusesMoreThanTheLimit() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try String(repeating: "k", count: 101).write(toFile: folder + "/keys.txt", atomically: true, encoding: .utf8)
        let reason = "it holds more than 100 bytes, more than a file of this kind should"
        #expect(throws: SmallFile.Unreadable(path: folder + "/keys.txt", reason: reason)) { try SmallFile.contents(of: folder + "/keys.txt", limit: 100) }
        #expect(try SmallFile.contents(of: folder + "/keys.txt", limit: 101).count == 101)

        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let written = Data(repeating: UInt8(ascii: "y"), count: 4_096)
        _ = written.withUnsafeBytes { write(ends[1], $0.baseAddress, $0.count) }
        close(ends[1])
        let path = "/dev/fd/\(ends[0])"
        #expect(throws: SmallFile.Unreadable(path: path, reason: reason)) { try SmallFile.contents(of: path, limit: 100) }
    }
}
