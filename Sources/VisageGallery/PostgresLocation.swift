public import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&host=…]` gallery location.
///
/// - The password may be left out of the URL (it would show in `ps` and shell history) and
///   given in `$PGPASSWORD` instead, as libpq's tools take it.
/// - `sslmode`: `disable` (the default: loopback or a private network), `require` or
///   `verify-full`. Both of the last two verify the server's certificate against the system's
///   trust roots and its host name; postgres-nio has no "encrypt but trust anyone" mode.
/// - `host=/var/run/postgresql` (a folder) connects through the server's Unix socket there.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The folder of the server's Unix socket, when connecting through one.
    public var socketFolder: String?
    public var user: String
    public var password: String?
    public var database: String
    public var tlsRequired: Bool

    /// Whether `location` names a PostgreSQL gallery rather than a SQLite file.
    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    public init(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        // Named without its password in every error.
        let shown = Self.redact(url)
        guard Self.isPostgres(url), let components = URLComponents(string: url) else {
            throw GalleryError.invalidLocation(shown, reason: "not a postgres:// URL")
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw GalleryError.invalidLocation(shown, reason: "no user name (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw GalleryError.invalidLocation(shown, reason: "no database name after the host (postgres://USER@HOST/DATABASE)")
        }
        self.user = user
        self.database = database
        password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        tlsRequired = false
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", "disable"): tlsRequired = false
            case ("sslmode", "require"), ("sslmode", "verify-full"): tlsRequired = true
            case ("sslmode", let mode):
                throw GalleryError.invalidLocation(shown, reason: "sslmode \(mode) is not supported (disable, require or verify-full)")
            case ("host", let folder) where folder.hasPrefix("/"): socketFolder = folder
            default:
                throw GalleryError.invalidLocation(shown, reason: "unknown parameter \(item.name) (sslmode and host=/socket/folder are understood)")
            }
        }
        guard (1...65535).contains(port) else { throw GalleryError.invalidLocation(shown, reason: "port \(port) is out of range") }
    }

    /// The URL without its password: what messages and `gallery stats` show.
    public var redacted: String {
        let authority = socketFolder == nil ? "\(host):\(port)" : ""
        let query = [tlsRequired ? "sslmode=require" : nil, socketFolder.map { "host=\($0)" }].compactMap { $0 }
        return "postgres://\(user)@\(authority)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// `url` with any password replaced by `***`, for a URL too broken to parse.
    static func redact(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return url.replacingCharacters(in: url.index(after: colon)..<at, with: "***")
    }

    private var socketPath: String? { socketFolder.map { "\($0)/.s.PGSQL.\(port)" } }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        if let socketPath {
            return PostgresConnection.Configuration(unixSocketPath: socketPath, username: user, password: password, database: database)
        }
        let tls: PostgresConnection.Configuration.TLS = tlsRequired
            ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = if let socketPath {
            PostgresClient.Configuration(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database,
                                         tls: tlsRequired ? .require(.makeClientConfiguration()) : .disable)
        }
        // A gallery's queries are short, and the Gallery actor runs most of them one at a time.
        configuration.options.maximumConnections = 8
        configuration.options.additionalStartupParameters = [("application_name", "visage")]
        return configuration
    }
}
