import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VisageGallery
@testable import VisageServer

/// Forms as the code generated from openapi.yaml reads them (OpenAPIRuntime's multipart parser):
/// malformed bodies are refused with 400 and a message, never a crash or a 500, and the
/// answers name the field a client must fix.
@Suite(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup` first"))
struct MultipartTests {
    static let boundary = "XyZ-boundary"
    // No preamble: OpenAPIRuntime's parser wants the body to start with the delimiter (as every
    // client sends it); the hand parser this replaced also skipped a preamble.
    static let body = Array("""
    --XyZ-boundary\r
    Content-Disposition: form-data; name="question"\r
    \r
    How many people?\r
    --XyZ-boundary\r
    Content-Disposition: form-data; name="image"; filename="a \\"b\\".jpg"\r
    Content-Type: image/jpeg\r
    \r
    \u{FF}\u{D8}binary\r\nwith a CRLF inside\r
    --XyZ-boundary--\r
    epilogue
    """.utf8)

    static func post(_ client: some TestClientProtocol, _ uri: String, _ bytes: [UInt8], boundary: String = boundary) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: headers(contentType: "multipart/form-data; boundary=\(boundary)"), body: ByteBuffer(bytes: bytes))
    }

    /// A whole form reaches the handler: the image is read (and is no image: 415 from the decoder).
    @Test func wholeFormReachesTheHandler() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let response = try await Self.post(client, "/v1/ask", Self.body)
            #expect(response.status == .unsupportedMediaType, "\(response.text)")
            #expect(try response.errorCode() == "unsupported_image")
        }
    }

    /// Every truncation of a valid body is refused with a 4xx and an error body, never a 500.
    @Test func everyTruncationIsRefusedNotACrash() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let end = Self.body.count - "\r\nepilogue".utf8.count
            for length in stride(from: 0, to: end, by: 3) {
                let response = try await Self.post(client, "/v1/ask", Array(Self.body[..<length]))
                #expect((400..<500).contains(response.status.code), "\(length) bytes: \(response.status)")
                #expect(try response.errorCode()?.isEmpty == false)
            }
        }
    }

    @Test(arguments: [
        "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",  // no field name
        "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nx\r\n--b--",  // not form-data
        "--b\r\nno colon here\r\n\r\nx\r\n--b--",
        "--bx\r\n",
        "nothing like a multipart body",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nnever closed",
        "--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"unterminated\r\n\r\n",
    ])
    func malformedBodiesAreRefused(_ text: String) async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let response = try await Self.post(client, "/v1/analyze", Array(text.utf8), boundary: "b")
            #expect(response.status == .badRequest, "\(response.text)")
        }
    }

    @Test func missingAndRepeatedFieldsAreNamed() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let (noB, noBType) = Fixtures.multipart([("a", "a.png", "image/png", [1, 2, 3])])
            var response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(contentType: noBType), body: noB)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`b`"), "\(response.text)")

            let (twice, twiceType) = Fixtures.multipart([("image", "a.png", "image/png", [1]), ("question", nil, nil, Array("a".utf8)),
                                                         ("question", nil, nil, Array("b".utf8))])
            response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(contentType: twiceType), body: twice)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`question`"), "\(response.text)")
        }
    }

    /// Text fields are UTF-8: a name, metadata or question in another encoding is refused naming
    /// the field, not stored with its bytes replaced by U+FFFD ("caf\u{FFFD}" for Latin-1 "café").
    @Test func textFieldsThatAreNotUTF8AreRefused() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9]  // "café" in ISO 8859-1
        let service = try await Fixtures.service()
        try await service.makeApplication().test(.router) { client in
            for (field, form) in [
                ("name", [("name", nil, nil, latin1), ("image", "tom.png", "image/png", tom)]),
                ("metadata", [("name", nil, nil, Array("Tom".utf8)), ("metadata", nil, nil, Array(#"{"city": "Z"#.utf8) + [0xFC] + Array(#"rich"}"#.utf8)),
                              ("image", "tom.png", "image/png", tom)]),
            ] as [(String, [(String, String?, String?, [UInt8])])] {
                let (body, type) = Fixtures.multipart(form)
                let response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
                #expect(response.status == .badRequest, "\(field): \(response.text)")
                #expect(response.text.contains("`\(field)`") && response.text.contains("UTF-8"), "\(response.text)")
            }
            #expect(try await service.gallery.people().isEmpty)

            let (body, type) = Fixtures.multipart([("image", "tom.png", "image/png", tom), ("question", nil, nil, latin1 + Array("?".utf8))])
            let response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.text.contains("`question`") && response.text.contains("UTF-8"), "\(response.text)")

            // The same in the query: named, not taken for a missing question.
            let raw = try await client.execute(uri: "/v1/ask?question=caf%E9", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(raw.status == .badRequest)
            #expect(raw.text.contains("`question` has a value"), "\(raw.text)")
        }
    }

    /// An empty file is named by its field: which of verify's two images was empty.
    @Test func anEmptyImageIsNamedByItsField() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        try await Fixtures.service().makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", [])])
            let response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "empty_image")
            #expect(response.text.contains("`b`"), "\(response.text)")
        }
    }

    /// A missing text field is asked for as text, not as "a file field".
    @Test func aMissingTextFieldIsAskedForAsText() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("image", "a.png", "image/png", [1, 2, 3])])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`name`") && !response.text.contains("file field named `name`"), "\(response.text)")
            response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`question`") && !response.text.contains("file field named `question`"), "\(response.text)")
        }
    }

    /// A form whose `image` arrived whole but whose next part is malformed is refused for what
    /// is wrong with it, not as a form without `image` (the answer before).
    @Test func aMalformedPartIsNotReportedAsAMissingField() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            for tail in ["--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n", "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nnever closed"] {
                let body = Array("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
                    + Fixtures.blankPNG + Array("\r\n".utf8) + Array(tail.utf8)
                let response = try await Self.post(client, "/v1/analyze", body, boundary: "b")
                #expect(response.status == .badRequest)
                // The second tail's part is also a field analyze does not take, which is named first.
                #expect(!response.text.contains("no field `image`")
                        && (response.text.contains("could not be read") || response.text.contains("field `x` that this operation does not take")),
                        "\(response.text)")
            }
        }
    }

    /// The file name echoed as `image` is cut at 255 code points, however it is written (one
    /// letter with 200,000 combining accents came back whole: 400 kB).
    @Test func echoedFileNamesAreShort() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("image", "Z" + String(repeating: "\u{0301}", count: 100_000), "image/png", Fixtures.blankPNG)])
            let response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .ok)
            let label = try #require(try response.object()["image"] as? String)
            #expect(label.unicodeScalars.count == 255)
        }
    }

    /// A text field sent as a file (`curl -F "metadata=@meta.json;type=text/plain"`) is read as
    /// that text: the metadata was dropped without a word (201 with `{}`), and a name so sent
    /// was "not given".
    @Test func textFieldsSentAsFilesAreRead() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        try await Fixtures.service().makeApplication().test(.router) { client in
            let (body, type) = Fixtures.multipart([("name", "name.txt", "text/plain", Array("Tom Hanks\n".utf8)),
                                                   ("metadata", "meta.json", "text/plain", Array(#"{"employee": "1042"}"#.utf8)),
                                                   ("image", "tom.png", "image/png", tom)])
            let response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .created, "\(response.text)")
            let person = try response.object()
            #expect(person["name"] as? String == "Tom Hanks")
            #expect((person["metadata"] as? [String: String]) == ["employee": "1042"])
        }
    }

    /// A field may repeat only where the form says so (enrolment's `image`), and then at most
    /// ``Uploads/maxParts`` times in all.
    @Test func tooManyFieldsAreRefused() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let part = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n1\r\n"
            let body = Array(("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n"
                              + String(repeating: part, count: Uploads.maxParts) + "--b--").utf8)
            let response = try await Self.post(client, "/v1/people", body, boundary: "b")
            #expect(response.status == .badRequest)
            #expect(response.text.contains("more than \(Uploads.maxParts) fields"), "\(response.text)")
        }
    }

    /// A field the operation does not take is refused, named, with the fields it does take: a
    /// misspelt `metdata` enrolled the person without the metadata the operator meant to store.
    @Test func unknownFieldsAreRefusedNamingThem() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service()
        try await service.makeApplication().test(.router) { client in
            let cases: [(String, [(String, String?, String?, [UInt8])], String, [String])] = [
                ("/v1/people", [("name", nil, nil, Array("Tom Hanks".utf8)), ("metdata", nil, nil, Array(#"{"consent": "2026-12-01"}"#.utf8)),
                                ("image", "tom.png", "image/png", tom)], "metdata", ["name", "metadata", "image"]),
                ("/v1/verify", [("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", tom), ("c", "c.png", "image/png", tom)], "c", ["a", "b"]),
                ("/v1/ask", [("image", "tom.png", "image/png", tom), ("quesiton", nil, nil, Array("How old?".utf8))], "quesiton", ["image", "question"]),
                ("/v1/analyze", [("embedding", nil, nil, Array("true".utf8)), ("image", "tom.png", "image/png", tom)], "embedding", ["image"]),
                ("/v1/identify", [("image", "tom.png", "image/png", tom), ("top_k", nil, nil, Array("3".utf8))], "top_k", ["image"]),
            ]
            for (uri, form, field, accepted) in cases {
                let (body, type) = Fixtures.multipart(form)
                let response = try await client.execute(uri: uri, method: .post, headers: headers(contentType: type), body: body)
                #expect(response.status == .badRequest, "\(uri): \(response.text)")
                #expect(try response.errorCode() == "unknown_field", "\(uri): \(response.text)")
                let error = try #require(try response.object()["error"] as? [String: Any])
                #expect(error["field"] as? String == field, "\(uri): \(response.text)")
                #expect(error["accepted"] as? [String] == accepted, "\(uri): \(response.text)")
                let message = try #require(error["message"] as? String)
                #expect(message.contains("`\(field)`") && accepted.allSatisfy { message.contains("`\($0)`") }, "\(message)")
            }
            #expect(try await service.gallery.people().isEmpty)

            // Adding faces: the person keeps the faces it had.
            let (body, type) = Fixtures.multipart([("name", nil, nil, Array("Tom Hanks".utf8)), ("image", "tom.png", "image/png", tom)])
            let enrolled = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            let id = try #require(try enrolled.object()["id"] as? Int)
            let (more, moreType) = Fixtures.multipart([("image", "tom.png", "image/png", tom), ("imgae", "tom.png", "image/png", tom)])
            let added = try await client.execute(uri: "/v1/people/\(id)/faces", method: .post, headers: headers(contentType: moreType), body: more)
            #expect(added.status == .badRequest && added.text.contains("`imgae`"), "\(added.text)")
            #expect(try await service.gallery.person(Int64(id)).1.count == 1)

            // A part without a name is no field at all.
            let unnamed = Array("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n".utf8)
            let response = try await Self.post(client, "/v1/analyze", unnamed, boundary: "b")
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "unknown_field" && response.text.contains("no name"), "\(response.text)")
        }
    }

    @Test func randomBytesNeverCrash() async throws {
        let alphabet = Array("-b\r\n:;=\"xContent-Disposition form-data name image".utf8)
        try await Fixtures.service().makeApplication().test(.router) { client in
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<300 {
                let count = Int.random(in: 0..<120, using: &generator)
                let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
                let response = try await Self.post(client, "/v1/analyze", Array("--b\r\n".utf8) + bytes, boundary: "b")
                #expect((400..<500).contains(response.status.code), "\(String(decoding: bytes, as: UTF8.self).debugDescription): \(response.status)")
            }
        }
    }
}
