import Foundation
import Testing
import VisageTestSupport
@testable import VisageAsk

/// The model-server client against a real HTTP server on 127.0.0.1 (Fixtures/chat_server.py),
/// started by each test; the server serves at most three requests and exits by itself after 20 s.
@Suite(.serialized)
struct ChatCompletionsClientTests {
    /// A running test server and its port; `stop()` ends it (it would end by itself anyway).
    final class Server {
        let process = Process()
        let port: Int

        init(_ mode: String) throws {
            guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:))
                ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map({ $0 + "/python3" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw Skip("python3 not found")
            }
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [Fixtures.fixtureDirectory + "/chat_server.py", mode]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw Skip("the test server did not start")
            }
            self.port = port
        }

        var url: String { "http://127.0.0.1:\(port)" }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    struct Skip: Error, CustomStringConvertible { var description: String; init(_ d: String) { description = d } }

    static let image = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0, count: 16))
    static let grounding = #"{"image": "t1.jpg", "faces": [{"face": 1, "age": 31}]}"#

    @Test func endpointFromBaseURL() throws {
        #expect(try ChatCompletionsClient(url: "http://127.0.0.1:8080").endpoint.absoluteString == "http://127.0.0.1:8080/v1/chat/completions")
        #expect(try ChatCompletionsClient(url: "http://h:1/v1/").endpoint.absoluteString == "http://h:1/v1/chat/completions")
        #expect(try ChatCompletionsClient(url: "https://h/api/v1/chat/completions").endpoint.absoluteString == "https://h/api/v1/chat/completions")
        #expect(throws: ChatError.invalidURL("localhost:8080")) { try ChatCompletionsClient(url: "localhost:8080") }
        #expect(throws: ChatError.invalidURL("ftp://x")) { try ChatCompletionsClient(url: "ftp://x") }
    }

    @Test func requestCarriesTheImageAndGrounding() throws {
        let body = try ChatCompletionsClient(url: "http://127.0.0.1:1").requestBody(question: "Is she smiling?", imageData: Self.image, mimeType: "image/jpeg", grounding: Self.grounding)
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.count == 2)
        #expect((messages[0]["content"] as? String)?.contains(Self.grounding) == true)
        let parts = try #require(messages[1]["content"] as? [[String: Any]])
        #expect(parts[0]["text"] as? String == "Is she smiling?")
        let url = try #require((parts[1]["image_url"] as? [String: Any])?["url"] as? String)
        #expect(url == "data:image/jpeg;base64," + Self.image.base64EncodedString())
    }

    @Test func answersFromALocalServer() async throws {
        let server = try Server("ok")
        defer { server.stop() }
        let reply = try await ChatCompletionsClient(url: server.url, timeout: 10).ask("Is she smiling?", imageData: Self.image, mimeType: "image/jpeg", grounding: Self.grounding)
        #expect(reply.model == "test-vlm")
        #expect(reply.answer == "path=/v1/chat/completions question=Is she smiling? image=data:image/jpeg grounded=True")
    }

    @Test func connectionRefused() async throws {
        let server = try Server("refuse")
        defer { server.stop() }
        await #expect {
            try await ChatCompletionsClient(url: server.url, timeout: 5).ask("q", imageData: Self.image, mimeType: "image/jpeg", grounding: "{}")
        } throws: { error in
            guard case .unreachable? = error as? ChatError else { return false }
            return (error as? ChatError)?.errorDescription?.contains("Is it running") == true
        }
    }

    @Test func non200StatusIsReportedWithTheBody() async throws {
        let server = try Server("status500")
        defer { server.stop() }
        await #expect {
            try await ChatCompletionsClient(url: server.url, timeout: 10).ask("q", imageData: Self.image, mimeType: "image/jpeg", grounding: "{}")
        } throws: { error in
            guard case let .httpStatus(_, status, body)? = error as? ChatError else { return false }
            return status == 500 && body.contains("model not loaded")
        }
    }

    @Test func malformedJSON() async throws {
        let server = try Server("malformed")
        defer { server.stop() }
        await #expect {
            try await ChatCompletionsClient(url: server.url, timeout: 10).ask("q", imageData: Self.image, mimeType: "image/jpeg", grounding: "{}")
        } throws: { error in
            guard case .malformedResponse? = error as? ChatError else { return false }
            return true
        }
    }

    @Test func timeout() async throws {
        let server = try Server("slow")
        defer { server.stop() }
        let start = ContinuousClock.now
        await #expect {
            try await ChatCompletionsClient(url: server.url, timeout: 1).ask("q", imageData: Self.image, mimeType: "image/jpeg", grounding: "{}")
        } throws: { error in
            guard case .timeout? = error as? ChatError else { return false }
            return true
        }
        #expect(ContinuousClock.now - start < .seconds(4))
    }

    @Test(arguments: [
        (#"{"choices": []}"#, "no choices"),
        (#"{"choices": [{"message": {"role": "assistant", "content": ""}}]}"#, "missing or empty"),
        (#"{"error": {"message": "bad"}}"#, "returned an error"),
        (#"[1, 2]"#, "not a JSON object"),
    ])
    func malformedReplies(_ body: String, _ reason: String) {
        #expect {
            try ChatCompletionsClient.parse(Data(body.utf8), endpoint: "e")
        } throws: { error in
            guard case let .malformedResponse(_, r)? = error as? ChatError else { return false }
            return r.contains(reason)
        }
    }

    @Test func contentAsTextParts() throws {
        let reply = try ChatCompletionsClient.parse(Data(#"{"choices": [{"message": {"content": [{"type": "text", "text": "Yes."}]}}]}"#.utf8), endpoint: "e")
        #expect(reply.answer == "Yes.")
    }
}
