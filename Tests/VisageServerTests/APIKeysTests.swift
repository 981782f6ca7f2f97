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

    @Test func environmentVariableWhenNoFile() throws {
        let keys = try APIKeys.load(file: nil, environment: ["VISAGE_API_KEYS": "read dddddddddddddddd4444"])
        #expect(keys.role(of: "dddddddddddddddd4444") == .read)
        #expect(try APIKeys.load(file: nil, environment: [:]).isEmpty)
    }
}
