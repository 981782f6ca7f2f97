public import Foundation

/// What an API key may do: `read` analyses, verifies and identifies; `admin` also manages people.
public enum APIRole: String, Sendable, CaseIterable, Comparable {
    case read, admin

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs == .read && rhs == .admin }
}

/// The service's API keys and their roles, sent by clients as `Authorization: Bearer KEY`.
///
/// The text form, in a `--keys` file or `$VISAGE_API_KEYS`, is one `role key` pair per line
/// (commas also separate pairs in the environment variable); blank lines and `#` comments
/// are skipped:
///
/// ```
/// admin 8f0c6b1e0d6f4e5a9c3b2a1d0e9f8a7b
/// read  1b2c3d4e5f60718293a4b5c6d7e8f901
/// ```
///
/// A key must be at least ``minimumLength`` characters (`openssl rand -hex 16` makes one).
public struct APIKeys: Sendable {
    public static let minimumLength = 16
    /// The environment variable read when no `--keys` file is given.
    public static let environmentVariable = "VISAGE_API_KEYS"

    private var keys: [(key: [UInt8], role: APIRole)]

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    public init(_ pairs: [(role: APIRole, key: String)]) {
        keys = pairs.map { (Array($0.key.utf8), $0.role) }
    }

    /// Parses `role key` pairs; the error names the line and says what is wrong, never the key.
    public init(parsing text: String, source: String) throws {
        var pairs: [(role: APIRole, key: String)] = []
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "," }
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count == 2 else {
                throw APIKeysError("\(source), entry \(number + 1): expected `role key` (two words), found \(words.count) words.")
            }
            guard let role = APIRole(rawValue: String(words[0]).lowercased()) else {
                throw APIKeysError("\(source), entry \(number + 1): unknown role `\(words[0].prefix(20))`; the roles are read and admin.")
            }
            guard words[1].count >= Self.minimumLength else {
                throw APIKeysError("\(source), entry \(number + 1): the key is shorter than \(Self.minimumLength) characters; make one with `openssl rand -hex 16`.")
            }
            pairs.append((role, String(words[1])))
        }
        self.init(pairs)
    }

    /// Reads the keys from `file` when given, else from `$VISAGE_API_KEYS`; empty when neither has any.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> APIKeys {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw APIKeysError("Cannot read the keys file \(file); check the path and its permissions.")
            }
            return try APIKeys(parsing: String(decoding: data, as: UTF8.self), source: file)
        }
        if let text = environment[environmentVariable], !text.isEmpty {
            return try APIKeys(parsing: text, source: "$\(environmentVariable)")
        }
        return APIKeys([])
    }

    /// The role of `key`, nil for an unknown key. Compares in time independent of where the keys differ.
    public func role(of key: some StringProtocol) -> APIRole? {
        let candidate = Array(key.utf8)
        var found: APIRole?
        for (stored, role) in keys where Self.constantTimeEqual(stored, candidate) {
            found = max(found ?? role, role)
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
