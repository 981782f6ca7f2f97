import Foundation
import Testing
import VisageTestSupport
import VisageCore

/// `CacheFile.dropLineCutShort`: the repair every append-only cache makes before appending.
struct CacheFileTests {
    /// The file's text after the repair and one appended line.
    private func repaired(_ text: String, block: UInt64 = 65_536) throws -> String {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/cache.tsv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try CacheFile.dropLineCutShort(handle, block: block)
        try handle.write(contentsOf: Data("next\n".utf8))
        try handle.close()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func aLastLineCutShortIsDropped() throws {
        #expect(try repaired("# header\na\t1\nb\t2") == "# header\na\t1\nnext\n")
    }

    @Test func wholeLinesAreKept() throws {
        #expect(try repaired("# header\na\t1\n") == "# header\na\t1\nnext\n")
        #expect(try repaired("") == "next\n")
    }

    /// A header cut short has no newline to go back to: it is kept, on a line of its own.
    @Test func aFileWithoutANewlineGetsOne() throws {
        #expect(try repaired("# head") == "# head\nnext\n")
    }

    /// The tail is read in blocks; a line longer than a block is still found whole.
    @Test func aCutLineLongerThanABlockIsDropped() throws {
        let long = String(repeating: "x", count: 100)
        #expect(try repaired("# header\na\t1\n" + long, block: 16) == "# header\na\t1\nnext\n")
        #expect(try repaired("# header\n" + long, block: 7) == "# header\nnext\n")
        #expect(try repaired(long, block: 16) == long + "\nnext\n")
    }
}
