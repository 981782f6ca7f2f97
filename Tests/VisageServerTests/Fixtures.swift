import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import Visage
import VisageCore
import VisageGallery
import VisageTestSupport
@testable import VisageServer

/// Real photos and models from `scripts/setup`, and services built over a temporary gallery.
enum Fixtures {
    static var visageHome: URL {
        if let home = ProcessInfo.processInfo.environment["VISAGE_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage")
    }

    static var hasModels: Bool {
        FileManager.default.fileExists(atPath: visageHome.appendingPathComponent("models/yunet_2023mar.onnx").path)
            && FileManager.default.fileExists(atPath: visageHome.appendingPathComponent("samples/t1.jpg").path)
    }

    static let adminKey = "admin-key-0123456789abcdef"
    static let readKey = "read-key-0123456789abcdef"
    static let keys = APIKeys([(.admin, adminKey), (.read, readKey)])

    /// `samples/NAME` as bytes.
    static func sample(_ name: String) throws -> [UInt8] {
        let path = visageHome.appendingPathComponent("samples/\(name)").path
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("sample \(path) is missing: run `make setup` (scripts/setup) first")
            throw CancellationError()
        }
        return Array(data)
    }

    /// The models load once for the whole test run.
    static let analyzers: (full: FaceAnalyzer, embedding: FaceAnalyzer)? = {
        guard hasModels else { return nil }
        var full = FaceAnalyzer.Configuration()
        full.tasks = .all
        var embedding = FaceAnalyzer.Configuration()
        embedding.tasks = [.embedding]
        guard let a = try? FaceAnalyzer(configuration: full), let e = try? FaceAnalyzer(configuration: embedding) else { return nil }
        return (a, e)
    }()

    /// A service over `gallery` (a path or a postgres:// URL), by default a new, empty gallery in a temporary folder.
    static func service(gallery location: String? = nil, keys: APIKeys? = Fixtures.keys, heads: [String: any CustomHead] = [:],
                        configure: (inout VisageService.Configuration) -> Void = { _ in }) async throws -> VisageService {
        let (analyzer, embedder) = try #require(analyzers, "the models are missing: run `make setup` (scripts/setup) first")
        let folder = try TemporaryDirectory.make(prefix: "visage-server-tests")
        // As `visage serve` opens it: the service writes the audit entries itself.
        var galleryConfiguration = Gallery.Configuration()
        galleryConfiguration.recordsAudit = false
        let gallery = try await Gallery.open(location ?? folder.appendingPathComponent("test.gallery").path, analyzer: embedder,
                                             configuration: galleryConfiguration)
        var configuration = VisageService.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configure(&configuration)
        return VisageService(configuration: configuration, analyzer: analyzer, embedder: embedder, gallery: gallery, keys: keys, heads: heads)
    }

    /// A multipart/form-data body of `fields`: (name, file name or nil, content type or nil, bytes).
    static func multipart(_ fields: [(String, String?, String?, [UInt8])], boundary: String = "visage-test-boundary-7MA4YWxk") -> (ByteBuffer, String) {
        var body: [UInt8] = []
        for (name, filename, type, bytes) in fields {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\""
            if let filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type { head += "Content-Type: \(type)\r\n" }
            head += "\r\n"
            body += Array(head.utf8) + bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), "multipart/form-data; boundary=\(boundary)")
    }

    /// A valid 160×120 grey PNG: an image without a face.
    static let blankPNG: [UInt8] = (try? Image(width: 160, height: 120, color: RGB(r: 128, g: 128, b: 128)).pngData()) ?? []

    /// A PNG whose header claims `width`×`height` pixels, with no pixel data.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let ihdr: [UInt8] = Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + ihdr + be(crc32(ihdr))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    var text: String { String(buffer: body) }

    /// The `error.code` of an error body.
    func errorCode() throws -> String? {
        let error = try #require(try object()["error"] as? [String: Any])
        #expect(error["message"] is String)
        return error["code"] as? String
    }
}

/// Keys of a JSON object in the order they were written (top level and nested alike).
func keyOrder(_ json: String) -> [String] {
    json.matches(of: #/"([a-z_]+)": /#).map { String($0.output.1) }
}

func headers(key: String? = Fixtures.adminKey, contentType: String? = nil) -> HTTPFields {
    var fields: HTTPFields = [:]
    if let key { fields[.authorization] = "Bearer \(key)" }
    if let contentType { fields[.contentType] = contentType }
    return fields
}
