import Foundation
import Testing
@testable import VisageServer

struct APIKeysTests {
    @Test func parsesRolesCommentsAndCommas() throws {
        let keys = try APIKeys(parsing: """
        # operators
        admin  aaaaaaaaaaaaaaaa1111

        READ bbbbbbbbbbbbbbbb2222, read cccccccccccccccc3333
        """, source: "keys.txt")
        #expect(keys.count == 3)
        #expect(keys.role(of: "aaaaaaaaaaaaaaaa1111") == .admin)
        #expect(keys.role(of: "bbbbbbbbbbbbbbbb2222") == .read)
        #expect(keys.role(of: "cccccccccccccccc3333") == .read)
        #expect(keys.role(of: "aaaaaaaaaaaaaaaa111") == nil)
        #expect(keys.role(of: "") == nil)
        #expect(APIRole.admin >= .read)
        #expect(!(APIRole.read >= .admin))
    }

    /// A keys file saved on Windows: CRLF line ends and a UTF-8 byte-order mark. Swift reads
    /// "\r\n" as one Character, so splitting at "\n" alone joined every entry into one line
    /// ("entry 1: … found 6 words"), and the mark made the first role "\u{FEFF}admin".
    @Test func readsWindowsLineEndsAndAByteOrderMark() throws {
        let keys = try APIKeys(parsing: "\u{FEFF}admin aaaaaaaaaaaaaaaa1111 alice\r\nread bbbbbbbbbbbbbbbb2222 desk\r\n", source: "keys.txt")
        #expect(keys.count == 2)
        #expect(keys.caller(of: "aaaaaaaaaaaaaaaa1111") == APICaller(name: "alice", role: .admin))
        #expect(keys.caller(of: "bbbbbbbbbbbbbbbb2222") == APICaller(name: "desk", role: .read))
        // The environment variable too.
        let environment = try APIKeys.load(file: nil, environment: ["VISAGE_API_KEYS": "read dddddddddddddddd4444\r\nadmin eeeeeeeeeeeeeeee5555"])
        #expect(environment.role(of: "eeeeeeeeeeeeeeee5555") == .admin)
    }

    @Test(arguments: ["root aaaaaaaaaaaaaaaa1111", "admin short", "admin", "admin a b"])
    func refusesBadEntriesWithoutEchoingTheKey(_ line: String) {
        do {
            _ = try APIKeys(parsing: line, source: "keys.txt")
            Issue.record("accepted \(line)")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("keys.txt, entry 1"))
            #expect(!message.contains("aaaaaaaaaaaaaaaa1111"))
        }
    }

    /// `visage serve --keys <(vault kv get …)` hands over a pipe (/dev/fd/63): it is read as a
    /// file is (it was "Cannot read the keys file"); a device is refused, not read forever.
    @Test func readsKeysFromAPipeAndRefusesADevice() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipe = folder + "/keys"
        #expect(mkfifo(pipe, 0o600) == 0)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: pipe)
            handle?.write(Data("admin aaaaaaaaaaaaaaaa1111 alice\n".utf8))
            try? handle?.close()
        }
        writer.start()
        let keys = try APIKeys.load(file: pipe, environment: [:])
        #expect(keys.caller(of: "aaaaaaaaaaaaaaaa1111") == APICaller(name: "alice", role: .admin))
        #expect(throws: APIKeysError.self) { try APIKeys.load(file: "/dev/zero", environment: [:]) }
        #expect(throws: APIKeysError.self) { try APIKeys.load(file: folder, environment: [:]) }
    }

    @Test func environmentVariableWhenNoFile() throws {
        let keys = try APIKeys.load(file: nil, environment: ["VISAGE_API_KEYS": "read dddddddddddddddd4444"])
        #expect(keys.role(of: "dddddddddddddddd4444") == .read)
        #expect(try APIKeys.load(file: nil, environment: [:]).isEmpty)
    }

    @Test func namesKeysForTheAudit() throws {
        let keys = try APIKeys(parsing: """
        admin aaaaaaaaaaaaaaaa1111 alice
        read  bbbbbbbbbbbbbbbb2222
        """, source: "keys.txt")
        #expect(keys.caller(of: "aaaaaaaaaaaaaaaa1111") == APICaller(name: "alice", role: .admin))
        #expect(keys.caller(of: "bbbbbbbbbbbbbbbb2222") == APICaller(name: "entry-2", role: .read))
    }

    /// One key listed with two roles used to get the stronger one silently.
    @Test(arguments: [
        ("admin aaaaaaaaaaaaaaaa1111\nread aaaaaaaaaaaaaaaa1111", "repeats the key of entry 1"),
        ("read aaaaaaaaaaaaaaaa1111 kiosk\nread bbbbbbbbbbbbbbbb2222 kiosk", "already used by entry 1"),
        ("read aaaaaaaaaaaaaaaa1111 bad/name", "a key's name"),
    ])
    func refusesRepeatedKeysAndNames(_ text: String, _ expected: String) {
        do {
            _ = try APIKeys(parsing: text, source: "keys.txt")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.localizedDescription.contains("keys.txt, entry 2") || error.localizedDescription.contains("keys.txt, entry 1"))
            #expect(error.localizedDescription.contains(expected))
            #expect(!error.localizedDescription.contains("aaaaaaaaaaaaaaaa1111"))
        }
    }
}
