import Foundation
import Testing
import Visage

/// Real photos for the tests: the set-up step's samples, and the shared data sets when present.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var visageHome: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    /// A photo provisioned by `scripts/setup`; missing is a failure (make test runs the set-up first).
    static func sample(_ name: String) throws -> String {
        let path = visageHome.appendingPathComponent("samples/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("sample \(path) is missing: run `make setup` (scripts/setup) first")
            throw CancellationError()
        }
        return path
    }

    /// `$VISAGE_DATA`, else `<repo>/../shared/data`; nil when absent (tests using it skip).
    static var dataDirectory: URL? {
        let env = ProcessInfo.processInfo.environment["VISAGE_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let url = env.map { URL(fileURLWithPath: $0) } ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The face_recognition samples: a few people, photos in knn/{train,test}/<person>/.
    static var knownPeople: URL? {
        dataDirectory.map { $0.appendingPathComponent("face-recognition-samples/knn") }
            .flatMap { FileManager.default.fileExists(atPath: $0.appendingPathComponent("train").path) ? $0 : nil }
    }

    static var hasKnownPeople: Bool { knownPeople != nil }

    static func photos(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("visage-gallery-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path for a new gallery file in a fresh temporary folder.
    static func galleryPath() throws -> String { try temporaryDirectory().appendingPathComponent("test.gallery").path }

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
