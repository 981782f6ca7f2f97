import Foundation
import Testing
import VisageTestSupport
import Visage
import VisageCore

/// Hostile and broken files through the whole pipeline: each is a clear error, never a crash.
struct BadInputTests {
    let directory: URL
    let analyzer: FaceAnalyzer

    init() throws {
        directory = try Fixtures.temporaryURL()
        analyzer = try FaceAnalyzer(configuration: { var c = FaceAnalyzer.Configuration(); c.tasks = []; return c }())
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func failure(_ path: String) async -> ImageError? {
        do {
            _ = try await analyzer.analyze(contentsOf: path)
            return nil
        } catch {
            return error as? ImageError
        }
    }

    @Test func zeroBytes() async throws {
        let path = try write("zero-bytes.jpg", [])
        #expect(await failure(path) == .empty(source: path))
    }

    @Test func truncatedJPEG() async throws {
        let jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try Fixtures.sample("t1.jpg"))))
        let path = try write("t1-truncated.jpg", Array(jpeg.prefix(jpeg.count / 2)))
        guard case .corrupt(let source, _) = await failure(path) else { Issue.record("truncated JPEG was not reported as corrupt"); return }
        #expect(source == path)
    }

    @Test func textNamedJPEG() async throws {
        let path = try write("notes.jpg", Array("these are not the pixels you are looking for\n".utf8))
        guard case .unsupportedFormat(let source, _) = await failure(path) else { Issue.record("text file was not refused as unsupported"); return }
        #expect(source == path)
    }

    @Test func pngHeaderClaimingSixtyThousandSquared() async throws {
        let path = try write("huge-header.png", PNGHeader.claiming(width: 60_000, height: 60_000))
        #expect(await failure(path) == .tooLarge(source: path, width: 60_000, height: 60_000, limit: 50_000_000))
    }

    @Test func unsupportedFormats() async throws {
        for (name, bytes) in [("anim.gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0]),
                              ("bitmap.bmp", Array("BM".utf8) + [UInt8](repeating: 0, count: 52))] {
            let path = try write(name, bytes)
            guard case .unsupportedFormat(let source, _) = await failure(path) else { Issue.record("\(name) was not refused"); continue }
            #expect(source == path)
        }
    }

    @Test func missingFileAndDirectory() async throws {
        let missing = directory.appendingPathComponent("nope.jpg").path
        guard case .unreadable(let source, _) = await failure(missing) else { Issue.record("missing file not reported"); return }
        #expect(source == missing)
        guard case .unreadable = await failure(directory.path) else { Issue.record("directory not reported"); return }
    }
}

/// A PNG made of a valid signature and IHDR chunk (correct CRC) and nothing else.
enum PNGHeader {
    static func claiming(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let body = Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + body + be(crc32(body))
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
