public import Foundation
import VisageCore

/// What an API key may do: `read` analyses, verifies and identifies; `admin` also manages people.
public enum APIRole: String, Sendable, CaseIterable, Comparable {
    case read, admin

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs == .read && rhs == .admin }
}

/// Who sent a request: the name the keys file gives the key (never the key itself) and its role.
/// The audit trail records both.
public struct APICaller: Sendable, Hashable {
    public var name: String
    public var role: APIRole

    public init(name: String, role: APIRole) {
        self.name = name
        self.role = role
    }
}

/// The service's API keys, their roles and names, sent by clients as `Authorization: Bearer KEY`.
///
/// The text form, in a `--keys` file or `$VISAGE_API_KEYS`, is one `role key [name]` entry per
/// line (commas also separate entries in the environment variable); blank lines and `#`
/// comments are skipped. The name is what the audit trail records for the key's requests; an
/// entry without one is named `entry-N` after its position:
///
/// ```
/// admin 8f0c6b1e0d6f4e5a9c3b2a1d0e9f8a7b  alice
/// read  1b2c3d4e5f60718293a4b5c6d7e8f901  front-desk-kiosk
/// ```
///
/// A key must be at least ``minimumLength`` characters (`openssl rand -hex 16` makes one). A key
/// listed twice is refused, even with the same role: an operator who meant to give it one role
/// would otherwise get the stronger one silently. Names are unique too, so that the audit trail
/// tells keys apart.
public struct APIKeys: Sendable {
    public static let minimumLength = 16
    /// Longest key name, in characters.
    public static let maximumNameLength = 64
    /// The environment variable read when no `--keys` file is given.
    public static let environmentVariable = "VISAGE_API_KEYS"

    private var keys: [(key: [UInt8], caller: APICaller)]

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    /// Keys with their roles; each is named `entry-N` after its position (1-based).
    public init(_ pairs: [(role: APIRole, key: String)]) {
        keys = pairs.enumerated().map { (Array($1.key.utf8), APICaller(name: "entry-\($0 + 1)", role: $1.role)) }
    }

    /// Keys with their callers, as given.
    public init(named entries: [(key: String, caller: APICaller)]) {
        keys = entries.map { (Array($0.key.utf8), $0.caller) }
    }

    /// Parses `role key [name]` entries; the error names the entry and says what is wrong, never the key.
    public init(parsing text: String, source: String) throws {
        var entries: [(key: String, caller: APICaller)] = []
        var entryOfKey: [String: Int] = [:], entryOfName: [String: Int] = [:]
        // A file saved on Windows: "\r\n" is one Character (not equal to "\n"), and a UTF-8
        // byte-order mark would be read as part of the first role.
        let body = text.hasPrefix("\u{FEFF}") ? text.dropFirst() : Substring(text)
        let lines = body.split(omittingEmptySubsequences: false) { $0.isNewline || $0 == "," }
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 2 || words.count == 3 else {
                throw APIKeysError("\(source), entry \(number): expected `role key [name]` (two or three words), found \(words.count) word\(words.count == 1 ? "" : "s").")
            }
            guard let role = APIRole(rawValue: words[0].lowercased()) else {
                throw APIKeysError("\(source), entry \(number): unknown role `\(words[0].prefix(20))`; the roles are read and admin.")
            }
            let key = words[1]
            guard key.count >= Self.minimumLength else {
                throw APIKeysError("\(source), entry \(number): the key is shorter than \(Self.minimumLength) characters; make one with `openssl rand -hex 16`.")
            }
            if let first = entryOfKey[key] {
                throw APIKeysError("\(source), entry \(number): repeats the key of entry \(first); list each key once, with the one role it should have.")
            }
            let name = words.count == 3 ? words[2] : "entry-\(number)"
            guard name.count <= Self.maximumNameLength,
                  name.unicodeScalars.allSatisfy(Self.nameCharacters.contains) else {
                throw APIKeysError("\(source), entry \(number): a key's name is 1 to \(Self.maximumNameLength) letters, digits, `.`, `_`, `-` or `@`.")
            }
            if let first = entryOfName[name] {
                throw APIKeysError("\(source), entry \(number): the name `\(name)` is already used by entry \(first); give each key its own name.")
            }
            entryOfKey[key] = number
            entryOfName[name] = number
            entries.append((key, APICaller(name: name, role: role)))
        }
        self.init(named: entries)
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@".unicodeScalars)

    /// Reads the keys from `file` when given, else from `$VISAGE_API_KEYS`; empty when neither has any.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> APIKeys {
        if let file {
            // SmallFile reads a pipe as a file, so `--keys <(vault kv get …)` keeps the keys off
            // the disk; a folder or a device is refused, and so is more than a MiB (tens of
            // thousands of keys), which only a wrong path or an endless pipe gives.
            let data: Data
            do { data = try SmallFile.contents(of: file, limit: 1 << 20) } catch {
                throw APIKeysError("Cannot read the keys file \(file): \(error.reason).")
            }
            return try APIKeys(parsing: String(decoding: data, as: UTF8.self), source: file)
        }
        if let text = environment[environmentVariable], !text.isEmpty {
            return try APIKeys(parsing: text, source: "$\(environmentVariable)")
        }
        return APIKeys([])
    }

    /// The role of `key`, nil for an unknown key.
    public func role(of key: some StringProtocol) -> APIRole? { caller(of: key)?.role }

    /// The name and role of `key`, nil for an unknown key. Compares every stored key in time
    /// independent of where they differ, so the answer's timing tells nothing of the keys.
    public func caller(of key: some StringProtocol) -> APICaller? {
        let candidate = Array(key.utf8)
        var found: APICaller?
        for (stored, caller) in keys where Self.constantTimeEqual(stored, candidate) {
            found = caller
        }
        return found
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

/// A keys file or variable that cannot be used; the message says which entry and why.
public struct APIKeysError: Error, LocalizedError, Sendable {
    public var errorDescription: String?
    init(_ message: String) { errorDescription = message }
}
