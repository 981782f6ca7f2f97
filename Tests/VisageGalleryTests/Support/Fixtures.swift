import Foundation
import Logging
import PostgresNIO
import Testing
import Visage
import VisageTestSupport
import VisageGallery

/// What the gallery tests add to the shared fixtures: known people's photos, scratch galleries,
/// one analyzer, random templates and byte searches.
extension Fixtures {
    /// ``Fixtures/dataDirectory`` as a URL.
    static var dataURL: URL? { dataDirectory.map { URL(fileURLWithPath: $0) } }

    /// The face_recognition samples: a few people, photos in knn/{train,test}/<person>/.
    static var knownPeople: URL? {
        dataURL.map { $0.appendingPathComponent("face-recognition-samples/knn") }
            .flatMap { FileManager.default.fileExists(atPath: $0.appendingPathComponent("train").path) ? $0 : nil }
    }

    static var hasKnownPeople: Bool { knownPeople != nil }

    static func photos(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    static func temporaryURL() throws -> URL { try TemporaryDirectory.make(prefix: "visage-gallery-tests") }

    /// A path for a new gallery file in a fresh temporary folder.
    static func galleryPath() throws -> String { try temporaryURL().appendingPathComponent("test.gallery").path }

    /// One analyzer for the whole test target: loading the models per test would dominate the run.
    static let analyzer = Result { try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = [.embedding]; return c }()) }

    /// The embedding of the largest face of a photo.
    static func embedding(_ path: String) async throws -> [Float] {
        let analyzed = try await analyzer.get().analyze(contentsOf: path)
        return try #require(analyzed.faces.largest?.embedding, "no face in \(path)")
    }

    /// A random unit vector, for tests that need templates but no photo.
    static func randomUnitVector(_ dimension: Int = 128, using generator: inout some RandomNumberGenerator) -> [Float] {
        let v = (0..<dimension).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    /// The bytes a float32 embedding has in the gallery file.
    static func bytes(_ embedding: [Float]) -> [UInt8] {
        embedding.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// Deterministic generator for the tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The stores a gallery test runs against: every store-level test runs once per kind.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

extension Fixtures {
    /// The PostgreSQL server the tests may create databases on; `make test` starts one
    /// (scripts/test-postgres) and sets the variable.
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["VISAGE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where to put a new, empty gallery: a file in a fresh folder, or a fresh PostgreSQL
    /// database. Without a server the PostgreSQL case is cancelled (reported as skipped), saying why.
    static func galleryLocation(_ kind: StoreKind) async throws -> String {
        switch kind {
        case .sqlite:
            return try galleryPath()
        case .postgres:
            return try await PostgresTestServer.newDatabase()
        }
    }
}

/// Raw access to the test PostgreSQL server, for what the store does not offer: creating a
/// database per test, and looking at the bytes in a table's files.
enum PostgresTestServer {
    static func url() throws -> String {
        guard let url = Fixtures.postgresURL else {
            try Test.cancel("VISAGE_TEST_POSTGRES_URL is unset: skipping the PostgreSQL case (`make test` starts a server with scripts/test-postgres)")
        }
        return url
    }

    /// A new database on the server, named for the test run; its URL.
    static func newDatabase() async throws -> String {
        let base = try url()
        let name = "visage_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await execute(base, "CREATE DATABASE \(name)")
        let location = try PostgresLocation(base)
        let path = try #require(base.range(of: "/\(location.database)", options: .backwards))
        return base.replacingCharacters(in: path, with: "/\(name)")
    }

    /// Runs `sql` as one statement; the rows' first column as text (NULL as nil).
    @discardableResult
    static func execute(_ url: String, _ sql: String) async throws -> [String?] {
        try await withConnection(url) { connection, logger in
            var values: [String?] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String?.self) { values.append(value) }
            return values
        }
    }

    /// The relation files (paths inside the data directory) of the gallery's tables and their TOAST tables and indexes.
    static func relationFiles(_ url: String) async throws -> [String] {
        try await execute(url, """
            SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')
            UNION SELECT pg_relation_filepath(t.reltoastrelid) FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.reltoastrelid <> 0
            """).compactMap { $0 }
    }

    /// Every byte of the given relation files, after a checkpoint has written the shared buffers
    /// out; a file that no longer exists adds nothing.
    static func fileBytes(_ url: String, _ paths: [String]) async throws -> [UInt8] {
        try await execute(url, "CHECKPOINT")
        return try await withConnection(url) { connection, logger in
            var bytes: [UInt8] = []
            for path in paths {
                let rows = try await connection.query("""
                    SELECT CASE WHEN (pg_stat_file(\(path), true)).size IS NULL THEN NULL ELSE pg_read_binary_file(\(path)) END
                    """, logger: logger).decode(Data?.self)
                for try await data in rows { bytes += data.map { [UInt8]($0) } ?? [] }
            }
            return bytes
        }
    }

    private static func withConnection<T: Sendable>(_ url: String, _ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let location = try PostgresLocation(url)
        let configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: .disable)
        let logger = Logger(label: "visage.tests.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection, logger)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
