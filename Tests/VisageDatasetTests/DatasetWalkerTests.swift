import Foundation
import Testing
import VisageTestSupport
@testable import VisageDataset

struct DatasetWalkerTests {
    @Test func walksIdentityFoldersRecursivelyInByteOrder() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in ["b/2.jpg", "b/1.PNG", "a/profile/02.jpeg", "a/frontal/01.webp", "a/notes.txt", "a/.hidden.jpg",
                     ".git/x.jpg", "README.jpg", "c/deep/er/x.jpg", "B/upper.jpg"] {
            try Fixtures.write([0], root, path)
        }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        let listing = try DatasetWalker(root: root).walk()
        #expect(listing.images.map(\.relativePath) == ["B/upper.jpg", "a/frontal/01.webp", "a/profile/02.jpeg", "b/1.PNG", "b/2.jpg", "c/deep/er/x.jpg"])
        #expect(listing.images.map(\.identity) == ["B", "a", "a", "b", "b", "c"])
        #expect(listing.identities == ["B", "a", "b", "c"])
        // The same tree walks the same way again.
        #expect(try DatasetWalker(root: root + "/").walk().images.map(\.relativePath) == listing.images.map(\.relativePath))
    }

    @Test func followsSymbolicLinksToImages() throws {
        let root = try Fixtures.temporaryDirectory(), links = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: links) }
        try Fixtures.write([0], root, "a/1.jpg")
        try FileManager.default.createDirectory(atPath: links + "/x", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: links + "/x/1.jpg", withDestinationPath: root + "/a/1.jpg")
        #expect(try DatasetWalker(root: links).walk().images == [DatasetImage(relativePath: "x/1.jpg", identity: "x")])
    }

    /// A folder named in another encoding (a Latin-1 "é") is listed with U+FFFD in place of the
    /// byte and cannot be opened by that name: it is reported, not dropped without a word.
    @Test func foldersNamedInAnotherEncodingAreReported() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write([0], root, "ada/1.jpg")
        func makeFolder(_ parent: String, _ latin1: [UInt8]) throws {
            let bytes = Array((parent + "/").utf8) + latin1 + [0]
            let made = bytes.withUnsafeBufferPointer { $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { mkdir($0, 0o755) } }
            try #require(made == 0)
        }
        try makeFolder(root, Array("Ren".utf8) + [0xE9])          // an identity folder
        try makeFolder(root + "/ada", Array("caf".utf8) + [0xE9])  // a folder inside one
        let listing = try DatasetWalker(root: root).walk()
        #expect(listing.images.map(\.relativePath) == ["ada/1.jpg"])
        #expect(listing.unreadableFolders.map(\.path) == [root + "/Ren\u{FFFD}", root + "/ada/caf\u{FFFD}"])
        #expect(listing.unreadableFolders.allSatisfy { $0.reason.contains("not valid UTF-8") })
    }

    @Test func badRootsGiveClearErrors() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: DatasetError.missing(path: root + "/nope")) { try DatasetWalker(root: root + "/nope").walk() }
        try Fixtures.write([1, 2], root, "file.jpg")
        #expect(throws: DatasetError.notADirectory(path: root + "/file.jpg")) { try DatasetWalker(root: root + "/file.jpg").walk() }
        // Images directly in the root are not in an identity folder.
        #expect(throws: DatasetError.empty(path: root)) { try DatasetWalker(root: root).walk() }
        let message = DatasetError.notADirectory(path: "x.jpg").errorDescription ?? ""
        #expect(message.contains("x.jpg is a file, not a folder"))
    }
}

struct ShardTests {
    @Test func fnv1aIsTheStandardOne() {
        // Published FNV-1a 64 test vectors.
        #expect(Shard.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.stableHash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func shardsAreDisjointCoverEverythingAndAreBalanced() throws {
        let paths = (0..<5000).map { "id\($0 % 97)/frontal/\($0).jpg" }
        let n = 7
        var seen: [String: Int] = [:]
        var sizes = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let shard = try Shard(index: i, count: n)
            for p in paths where shard.contains(p) {
                #expect(seen[p] == nil, "\(p) in two shards")
                seen[p] = i
                sizes[i] += 1
            }
        }
        #expect(seen.count == paths.count)
        #expect(sizes.allSatisfy { abs($0 - paths.count / n) < paths.count / n / 5 }, "unbalanced: \(sizes)")
        // Deterministic: the same path always lands in the same shard.
        #expect(paths.allSatisfy { Shard.shard(of: $0, count: n) == seen[$0] })
        #expect(Shard.all.contains("anything"))
    }

    @Test func parsesIOverN() throws {
        #expect(try Shard(parsing: "3/8") == Shard(index: 3, count: 8))
        #expect(try Shard(parsing: "0/1") == .all)
        for bad in ["8/8", "-1/4", "1/0", "1", "a/b", "1/2/3", ""] {
            #expect(throws: DatasetError.invalidShard(bad)) { try Shard(parsing: bad) }
        }
    }
}
