import Foundation
import Testing

/// Real photos for the tests: the set-up step's samples, and the shared data sets when present.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var visageHome: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    /// A photo provisioned by `scripts/setup` (from the insightface wheel). `make test` runs the
    /// set-up first, so a missing sample is a failure, not a skip.
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

    static var hasData: Bool { dataDirectory != nil }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("visage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// JPEG bytes with an APP1 Exif segment carrying `orientation` inserted right after SOI.
    static func withEXIFOrientation(_ jpeg: [UInt8], _ orientation: UInt16) -> [UInt8] {
        // Big-endian TIFF with one IFD entry: tag 0x0112 (Orientation), type SHORT, count 1.
        let tiff: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,
                             0x00, 0x01,
                             0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x00]
        let payload: [UInt8] = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }
}
