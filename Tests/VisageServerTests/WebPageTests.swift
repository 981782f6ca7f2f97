import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VisageServer

/// The web page in a real browser: headless Chromium from Debian (`apt-get install chromium`)
/// driven by `Tests/Browser/page_check.py`. Skips, with a message, when Chromium is absent.
struct WebPageTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let chromium: String? = {
        if let path = ProcessInfo.processInfo.environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test func pageServesInlineAssetsOnly() async throws {
        let html = WebPage.html
        #expect(html.contains("<canvas id=\"canvas\">"))
        // No CDN: nothing is loaded from another origin.
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"))
        // Resources/visage.css and visage.js are written inline in place of the tags that name them.
        #expect(!html.contains("<link rel=\"stylesheet\"") && !html.contains("<script src="))
        #expect(html.contains("<style>\n  :root {") && html.contains("loadPeople();\n</script>"))
        #expect(WebPage.contentSecurityPolicy.contains("script-src 'sha256-") && WebPage.contentSecurityPolicy.contains("style-src-elem 'sha256-"))
    }

    @Test(.enabled(if: chromium != nil, "Chromium is not installed (apt-get install -y chromium); the browser test is skipped"),
          .enabled(if: Fixtures.hasModels, "the models are missing: run `make setup` first"),
          .timeLimit(.minutes(5)))
    func groupPhotoIsAnnotatedInChromium() async throws {
        let photo = Fixtures.visageHome.appendingPathComponent("samples/t1.jpg").path
        let screenshot = ProcessInfo.processInfo.environment["VISAGE_SCREENSHOT"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("visage-page-\(UUID().uuidString).png").path
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (status, output) = try await Self.run("/usr/bin/env", [
                "python3", Self.repositoryRoot.appendingPathComponent("Tests/Browser/page_check.py").path,
                "--url", "http://127.0.0.1:\(port)/", "--key", Fixtures.adminKey, "--photo", photo,
                "--expect-faces", "6", "--screenshot", screenshot, "--chromium", Self.chromium ?? "chromium",
                "--question", "How many people are in this photo?",
                "--compare", Fixtures.visageHome.appendingPathComponent("samples/Tom_Hanks_54745.png").path,
            ])
            #expect(status == 0, "page_check.py: \(output)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
            #expect(report["faces"] as? Int == 6)
            #expect(report["rows"] as? Int == 6)
            #expect((report["people"] as? [String]) == ["Guest One"])
            // The Ask box answers from the analysis: six faces, as a number.
            #expect(report["answer_value"] as? String == "6", "answer: \(report["answer"] ?? "none")")
            // The group photo's largest face is not Tom Hanks, and the explanation picture is shown.
            #expect((report["verdict"] as? String)?.hasSuffix("different people") == true, "verdict: \(report["verdict"] ?? "none")")
            #expect((report["explanation_size"] as? [Int])?.first ?? 0 > 0)
            #expect(FileManager.default.fileExists(atPath: screenshot))
        }
    }

    /// Runs a program without blocking a thread of the cooperative pool, which the server needs.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                let data = output.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
