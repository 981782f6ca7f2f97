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

/// The routes, in-process (`.router`), with real photos from `$VISAGE_HOME/samples`.
@Suite(.enabled(if: Fixtures.hasModels, "the models and samples are missing: run `make setup` (scripts/setup) first"))
struct RoutesTests {
    @Test func analyzeGroupPhotoHasTheCLIShape() async throws {
        let photo = try Fixtures.sample("t1.jpg")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(key: Fixtures.readKey, contentType: "image/jpeg"),
                                                    body: ByteBuffer(bytes: photo))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let object = try response.object()
            let faces = try #require(object["faces"] as? [[String: Any]])
            #expect(faces.count == 6)
            #expect(object["image"] as? String == "image")
            #expect((object["width"] as? Int ?? 0) > 0)
            // The CLI's key order: image, width, height, faces; each face box, score, landmarks, age, gender, expression.
            let keys = keyOrder(response.text)
            #expect(Array(keys.prefix(8)) == ["image", "width", "height", "faces", "box", "score", "landmarks", "age"])
            #expect(keys.contains("gender") && keys.contains("expression") && !keys.contains("embedding"))
            for face in faces {
                #expect((face["box"] as? [Double])?.count == 4)
                #expect((face["landmarks"] as? [[Double]])?.count == 5)
                #expect(face["age"] is Double)
            }
        }
    }

    @Test func analyzeMultipartWithEmbedding() async throws {
        let photo = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        let (body, type) = Fixtures.multipart([("image", "tom.png", "image/png", photo)])
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/analyze?embedding=true", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .ok)
            let object = try response.object()
            #expect(object["image"] as? String == "tom.png")
            let face = try #require((object["faces"] as? [[String: Any]])?.first)
            #expect((face["embedding"] as? [Double])?.count == 128)
        }
    }

    /// `?head=` runs the custom heads the server was given, by name, after the analyzer's own
    /// models, computing the features they read (here the embedding, which plain analysis skips).
    @Test func analyzeRunsCustomHeadsByName() async throws {
        struct EmbeddingSignHead: CustomHead {
            var requiredTasks: FaceAnalyzer.Tasks { [.embedding] }
            func predict(_ face: Face) -> HeadPrediction? {
                guard let first = face.embedding?.first else { return nil }
                return HeadPrediction(head: "sign", label: first >= 0 ? "positive" : "negative",
                                      scores: [("positive", first >= 0 ? 1 : 0), ("negative", first >= 0 ? 0 : 1)])
            }
        }
        let photo = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service(heads: ["sign": EmbeddingSignHead()]).makeApplication()
        try await app.test(.router) { client in
            var response = try await client.execute(uri: "/v1/analyze?head=sign", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: photo))
            #expect(response.status == .ok)
            let face = try #require((try response.object()["faces"] as? [[String: Any]])?.first)
            let sign = try #require((face["heads"] as? [String: Any])?["sign"] as? [String: Any])
            #expect(["positive", "negative"].contains(sign["label"] as? String))
            #expect(face["embedding"] == nil, "the head's features are computed, not printed")
            #expect(keyOrder(response.text).firstIndex(of: "heads") ?? 0 > keyOrder(response.text).firstIndex(of: "mask") ?? 0)

            response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: photo))
            #expect(!keyOrder(response.text).contains("heads"))
            for query in ["head=nope", "head=sign,sign", "head="] {
                response = try await client.execute(uri: "/v1/analyze?\(query)", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: photo))
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.text.contains("`head`"), "\(query): \(response.text)")
            }
        }
    }

    @Test func authentication() async throws {
        let photo = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            var response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(key: nil, contentType: "image/png"), body: ByteBuffer(bytes: photo))
            #expect(response.status == .unauthorized)
            #expect(try response.errorCode() == "unauthorized")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)

            response = try await client.execute(uri: "/v1/identify", method: .post, headers: headers(key: "not-a-key-0123456789", contentType: "image/png"), body: ByteBuffer(bytes: photo))
            #expect(response.status == .unauthorized)

            response = try await client.execute(uri: "/v1/people", method: .get, headers: headers(key: Fixtures.readKey))
            #expect(response.status == .forbidden)
            #expect(try response.errorCode() == "forbidden")
            response = try await client.execute(uri: "/v1/people/1", method: .delete, headers: headers(key: Fixtures.readKey))
            #expect(response.status == .forbidden)

            response = try await client.execute(uri: "/v1/people", method: .get, headers: headers(key: Fixtures.adminKey))
            #expect(response.status == .ok)
            // Open to all: health, the document, the page, metrics.
            for uri in ["/v1/health", "/openapi.json", "/", "/metrics"] {
                response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri)")
            }
        }
    }

    @Test func noAuthenticationWhenInsecure() async throws {
        let app = try await Fixtures.service(keys: nil).makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/people", method: .get)
            #expect(response.status == .ok)
            #expect(try response.object()["people"] as? [Any] != nil)
        }
    }

    @Test func badUploads() async throws {
        let photo = try Fixtures.sample("t1.jpg")
        let app = try await Fixtures.service { $0.maxBodyBytes = 64 * 1024 }.makeApplication()
        try await app.test(.router) { client in
            func post(_ bytes: [UInt8], _ type: String?) async throws -> TestResponse {
                try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: type), body: ByteBuffer(bytes: bytes))
            }
            var response = try await post(photo, "image/jpeg")  // t1.jpg is over 64 KiB
            #expect(response.status == .contentTooLarge)
            #expect(try response.errorCode() == "payload_too_large")

            response = try await post(Fixtures.pngHeader(width: 60_000, height: 60_000), "image/png")
            #expect(response.status == .unprocessableContent)
            #expect(try response.errorCode() == "image_too_large")
            #expect(response.text.contains("60000×60000"))

            response = try await post(Array("this is not an image at all".utf8), "image/jpeg")
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.errorCode() == "unsupported_image")

            response = try await post(Array(photo.prefix(2000)), "image/jpeg")
            #expect(response.status == .badRequest)
            #expect(try response.errorCode() == "corrupt_image")

            response = try await post([], "image/jpeg")
            #expect(response.status == .badRequest)

            response = try await post(Array("{}".utf8), "application/json")
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.errorCode() == "unsupported_media_type")

            response = try await post(Array("garbage".utf8), nil)
            #expect(response.status == .unsupportedMediaType)

            // An image type the operation does not take is an unsupported media type too (400 before),
            // and the answer names the types it takes.
            response = try await post(Array(photo.prefix(100)), "image/gif")
            #expect(response.status == .unsupportedMediaType, "\(response.text)")
            #expect(try response.errorCode() == "unsupported_media_type")
            #expect(response.text.contains("image/jpeg") && response.text.contains("not image/gif"), "\(response.text)")

            response = try await post(Array("--x\r\nbroken".utf8), "multipart/form-data; boundary=x")
            #expect(response.status == .badRequest)

            let (body, type) = Fixtures.multipart([("photo", "a.jpg", "image/jpeg", Array(photo.prefix(100)))])
            response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains("`image`"))
        }
    }

    /// A progressive JPEG of thousands of few-byte scans, each a pass over the whole picture:
    /// refused at the decoder's scan limit with 422 `too_many_scans`, naming the field, instead
    /// of holding an analysis slot (4.5 s for 141 kB at 49 MP at the old limit, minutes without).
    @Test func aJPEGOfThousandsOfScansIsRefused() async throws {
        let jpeg = HostileJPEG.manyScans(width: 4096, height: 4096, acScans: 10_000)
        try await Fixtures.service().makeApplication().test(.router) { client in
            let start = ContinuousClock.now
            var response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: "image/jpeg"),
                                                    body: ByteBuffer(bytes: jpeg))
            // The whole file takes ~26 s to decode here; the bound only tells refusal at the limit
            // from a full decode, with room for a CI run whose other suites hold the cores.
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect(response.status == .unprocessableContent, "\(response.text)")
            #expect(try response.errorCode() == "too_many_scans")
            #expect(response.text.contains("image `image`") && response.text.contains("more than 100 scans"), "\(response.text)")

            let tom = try Fixtures.sample("Tom_Hanks_54745.png")
            let (body, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.jpg", "image/jpeg", jpeg)])
            response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(contentType: type), body: body)
            #expect(try response.errorCode() == "too_many_scans")
            #expect(response.text.contains("image `b`"), "\(response.text)")
        }
    }

    @Test func unknownPathsAndMethods() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            var response = try await client.execute(uri: "/v2/nothing", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.errorCode() == "not_found")
            response = try await client.execute(uri: "/v1/analyze", method: .get, headers: headers())
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            // A path id that is no whole number is named, without the decoder's internals
            // ("DecodingError: typeMismatch Int64 …" before).
            for id in ["abc", "1.5", "99999999999999999999", "1%20", "%00"] {
                for (method, path) in [(HTTPRequest.Method.get, "/v1/people/\(id)"), (.delete, "/v1/people/\(id)"), (.post, "/v1/people/\(id)/faces")] {
                    response = try await client.execute(uri: path, method: method, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: [1]))
                    #expect(response.status == .badRequest, "\(method) \(path)")
                    #expect(response.text.contains("`id`") && !response.text.contains("Decoding") && !response.text.contains("Int64"), "\(response.text)")
                }
            }
            response = try await client.execute(uri: "/v1/people/99", method: .get, headers: headers())
            #expect(response.status == .notFound)
            #expect(try response.errorCode() == "unknown_person")
            response = try await client.execute(uri: "/v1/analyze?embedding=", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: [1]))
            #expect(response.status == .badRequest)  // schemathesis found `embedding=` taken as false
            response = try await client.execute(uri: "/v1/identify?top_k=0", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: [1]))
            #expect(response.status == .badRequest)
        }
    }

    /// A query parameter the operation does not take is refused, named, with the ones it takes:
    /// a misspelt `?treshold=` answered with a decision at the default threshold before.
    @Test func unknownQueryParametersAreRefusedNamingThem() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service()
        try await service.makeApplication().test(.router) { client in
            let (form, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", tom)])
            let cases: [(HTTPRequest.Method, String, String?, ByteBuffer?, String, [String])] = [
                (.post, "/v1/verify?treshold=0.9", type, form, "treshold", ["explain", "threshold"]),
                (.post, "/v1/identify?top_k=2&topk=5", "image/png", ByteBuffer(bytes: tom), "topk", ["top_k"]),
                (.post, "/v1/people?name=Tom&metadata=%7B%7D", "image/png", ByteBuffer(bytes: tom), "metadata", ["name"]),
                (.get, "/v1/people?limit=5", nil, nil, "limit", []),
                (.post, "/v1/describe?q%20x=1", "image/png", ByteBuffer(bytes: tom), "q x", []),
            ]
            for (method, uri, contentType, body, parameter, accepted) in cases {
                let response = try await client.execute(uri: uri, method: method, headers: headers(contentType: contentType), body: body)
                #expect(response.status == .badRequest, "\(uri): \(response.text)")
                #expect(try response.errorCode() == "unknown_parameter", "\(uri): \(response.text)")
                let error = try #require(try response.object()["error"] as? [String: Any])
                #expect(error["parameter"] as? String == parameter, "\(uri): \(response.text)")
                #expect(error["accepted"] as? [String] == accepted, "\(uri): \(response.text)")
                #expect(response.text.contains(accepted.isEmpty ? "it takes none" : "`\(accepted[0])`"), "\(response.text)")
            }
            #expect(try await service.gallery.people().isEmpty, "nothing was enrolled")
            // The parameters an operation does take still pass.
            let response = try await client.execute(uri: "/v1/verify?explain=false&threshold=0.5", method: .post, headers: headers(contentType: type), body: form)
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    /// The operator's pair thresholds (`visage serve --verify-thresholds`) decide a request that
    /// gives none; a request's own `threshold` still wins.
    @Test func verifyDecidesAtTheOperatorsThresholds() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png"), group = try Fixtures.sample("t1.jpg")
        let (form, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.jpg", "image/jpeg", group)])
        func expect(_ service: VisageService, _ query: String = "", same: Bool, threshold: Double) async throws {
            try await service.makeApplication().test(.router) { client in
                let response = try await client.execute(uri: "/v1/verify" + query, method: .post, headers: headers(contentType: type), body: form)
                #expect(response.status == .ok, "\(response.text)")
                let object = try response.object()
                #expect(object["same"] as? Bool == same && (object["threshold"] as? Double).map { abs($0 - threshold) < 1e-6 } == true, "\(response.text)")
            }
        }
        // Tom against the largest face of the group photo: about 0.08, a stranger at the calibrated 0.303.
        try await expect(try await Fixtures.service(), same: false, threshold: 0.303)
        let lenient = try await Fixtures.service { $0.verificationThresholds.unmasked = -0.5 }
        try await expect(lenient, same: true, threshold: -0.5)
        try await expect(lenient, "?threshold=0.9", same: false, threshold: 0.9)
    }

    /// GET /v1/thresholds says what this node decides with: a threshold stored by a reviewer in
    /// another process shows at once, with its note, and the operator's pair thresholds are named.
    @Test func thresholdsSayWhatThisNodeDecidesWith() async throws {
        let folder = try TemporaryDirectory.make(prefix: "visage-thresholds")
        let location = folder.appendingPathComponent("shared.gallery").path
        let service = try await Fixtures.service(gallery: location) { $0.verificationThresholds.oneMasked = 0.45 }
        try await service.makeApplication().test(.router) { client in
            func thresholds() async throws -> (identification: [String: Any], verification: [String: Any]) {
                let response = try await client.execute(uri: "/v1/thresholds", method: .get, headers: headers(key: Fixtures.readKey))
                #expect(response.status == .ok, "\(response.text)")
                let object = try response.object()
                return (try #require(object["identification"] as? [String: Any]), try #require(object["verification"] as? [String: Any]))
            }
            var (identification, verification) = try await thresholds()
            #expect(identification["threshold"] as? Double == 0.4952 && identification["threshold_source"] as? String == "calibrated")
            #expect(identification["reviewed"] is NSNull)
            #expect(verification["one_masked"] as? Double == 0.45 && verification["unmasked"] as? Double == 0.303)
            #expect(verification["source"] as? String == "operator")

            // A reviewer stores a threshold from another process sharing the gallery.
            let reviewer = try await Gallery.open(location)
            try await reviewer.setReviewedThresholds(ReviewedThresholds(threshold: 0.52, maskedThreshold: nil, note: "pilot; J. Doe"))
            (identification, verification) = try await thresholds()
            #expect(identification["threshold"] as? Double == 0.52 && identification["threshold_source"] as? String == "reviewed")
            #expect((identification["reviewed"] as? [String: Any])?["note"] as? String == "pilot; J. Doe")
            #expect(identification["masked_threshold_source"] as? String == "calibrated")

            let anonymous = try await client.execute(uri: "/v1/thresholds", method: .get, headers: headers(key: nil))
            #expect(anonymous.status == .unauthorized)
        }
    }

    /// GET /v1/models lists the files this node loaded with their sha256 against the set-up's and
    /// what each may be used for, and never a path on the server.
    @Test func modelsSayWhatThisNodeRunsAndWhatItMayBeUsedFor() async throws {
        try await Fixtures.service().makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/models", method: .get, headers: headers(key: Fixtures.readKey))
            #expect(response.status == .ok, "\(response.text)")
            let models = try #require(try response.object()["models"] as? [[String: Any]])
            let files = models.compactMap { $0["file"] as? String }
            // The test service's analyzer computes every attribute, so these are open; the package's
            // own age and gender networks are not (the heads on SFace's map answer).
            for file in ["yunet_2023mar.onnx", "sface_2021dec.onnx", "mask-classifier.onnx", "age-sface-head.onnx", "gender-sface-head.onnx", "expression-fer2013.onnx"] {
                #expect(files.contains(file), "\(files)")
            }
            #expect(!files.contains("age-v1.onnx"))
            for model in models {
                #expect(model["state"] as? String == "as-installed" && model["problem"] as? Bool == false, "\(model)")
                #expect(model["advice"] == nil)
            }
            #expect(models.first { $0["file"] as? String == "expression-fer2013.onnx" }?["use"] as? String == "research-only")
            #expect(!response.text.contains(Fixtures.visageHome.path))

            let anonymous = try await client.execute(uri: "/v1/models", method: .get, headers: headers(key: nil))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func enrolIdentifyDeleteRoundTrip() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let group = try Fixtures.sample("t1.jpg")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let (body, type) = Fixtures.multipart([
                ("name", nil, nil, Array("Tom Hanks".utf8)),
                ("metadata", nil, nil, Array(#"{"source": "samples"}"#.utf8)),
                ("image", "tom.png", "image/png", tom),
            ])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .created)
            let person = try response.object()
            let id = try #require(person["id"] as? Int)
            #expect(person["name"] as? String == "Tom Hanks")
            #expect(person["templates"] as? Int == 1)
            #expect((person["metadata"] as? [String: String]) == ["source": "samples"])
            #expect((person["template_list"] as? [Any])?.count == 1)
            #expect(person["warning"] == nil, "an unmasked photo enrols without a warning")
            #expect(response.headers[.location] == "/v1/people/\(id)")
            #expect(Array(keyOrder(response.text).prefix(6)) == ["id", "name", "metadata", "source", "templates", "created"])

            // A second photo through /faces (the raw-body form).
            response = try await client.execute(uri: "/v1/people/\(id)/faces", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .created)
            #expect(try response.object()["templates"] as? Int == 2)

            response = try await client.execute(uri: "/v1/identify", method: .post, headers: headers(key: Fixtures.readKey, contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .ok)
            let identified = try #require((try response.object()["faces"] as? [[String: Any]])?.first)
            let identity = try #require(identified["identity"] as? [String: Any])
            #expect(identity["name"] as? String == "Tom Hanks")
            #expect(identity["id"] as? Int == id)
            #expect(Array(keyOrder(response.text).prefix(4)) == ["image", "faces", "box", "identity"])
            // A bare face: SFace at the gallery threshold, as the response says (no mask call: the fixture's embedder runs SFace only).
            #expect(identified["method"] as? String == "sface" && identified["threshold"] as? Double == 0.4952 && identified["masked"] is NSNull)

            // Nobody in the group photo is Tom Hanks.
            response = try await client.execute(uri: "/v1/identify?top_k=1", method: .post, headers: headers(contentType: "image/jpeg"), body: ByteBuffer(bytes: group))
            let faces = try #require(try response.object()["faces"] as? [[String: Any]])
            #expect(faces.count == 6)
            #expect(faces.allSatisfy { ($0["identity"] as? [String: Any])?["name"] is NSNull })

            response = try await client.execute(uri: "/v1/people", method: .get, headers: headers())
            #expect((try response.object()["people"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            response = try await client.execute(uri: "/v1/people/\(id)", method: .get, headers: headers())
            #expect((try response.object()["template_list"] as? [Any])?.count == 2)

            response = try await client.execute(uri: "/v1/people/\(id)", method: .delete, headers: headers())
            #expect(response.status == .ok)
            #expect(response.text == #"{"id": \#(id), "deleted": true, "templates": 2}"#)
            response = try await client.execute(uri: "/v1/people/\(id)", method: .delete, headers: headers())
            #expect(response.status == .notFound)

            response = try await client.execute(uri: "/v1/identify", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            let after = try #require((try response.object()["faces"] as? [[String: Any]])?.first?["identity"] as? [String: Any])
            #expect(after["name"] is NSNull)
        }
    }

    @Test func enrolRefusesBadRequests() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            var (body, type) = Fixtures.multipart([("image", "tom.png", "image/png", tom)])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)  // no name
            (body, type) = Fixtures.multipart([("name", nil, nil, Array("X".utf8)), ("metadata", nil, nil, Array("[1]".utf8)), ("image", "t.png", nil, tom)])
            response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest)  // metadata not an object of strings
            response = try await client.execute(uri: "/v1/people?name=Nobody", method: .post, headers: headers(contentType: "image/png"),
                                                body: ByteBuffer(bytes: Fixtures.blankPNG))
            #expect(response.status == .unprocessableContent)
            #expect(try response.errorCode() == "no_face")
            response = try await client.execute(uri: "/v1/people/12345/faces", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .notFound)
        }
    }

    @Test func verifySamePerson() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let (body, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", tom)])
            var response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(key: Fixtures.readKey, contentType: type), body: body)
            #expect(response.status == .ok)
            #expect(keyOrder(response.text) == ["similarity", "threshold", "same", "method"])
            #expect(try response.object()["same"] as? Bool == true)

            response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .unsupportedMediaType)  // a body type verify does not take (openapi.yaml's 415)
            #expect(response.text.contains("takes multipart/form-data"), "\(response.text)")
            let (blank, blankType) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.png", "image/png", Fixtures.blankPNG)])
            response = try await client.execute(uri: "/v1/verify", method: .post, headers: headers(contentType: blankType), body: blank)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("`b`"))
        }
    }

    @Test func verifyExplainsWithOcclusionMaps() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let group = try Fixtures.sample("t1.jpg")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let (body, type) = Fixtures.multipart([("a", "a.png", "image/png", tom), ("b", "b.jpg", "image/jpeg", group)])
            let response = try await client.execute(uri: "/v1/verify?explain=true", method: .post, headers: headers(key: Fixtures.readKey, contentType: type), body: body)
            #expect(response.status == .ok)
            // The full analyzer runs the mask classifier, so the response says the condition and each face's call.
            #expect(keyOrder(response.text).prefix(9) == ["similarity", "threshold", "same", "method", "condition", "first_masked", "second_masked", "explanation", "method"])
            let object = try response.object()
            #expect(object["condition"] as? String == "unmasked" && object["threshold"] as? Double == 0.303)
            #expect(object["same"] as? Bool == false)
            let explanation = try #require(object["explanation"] as? [String: Any])
            let grid = try #require(explanation["grid"] as? Int)
            let a = try #require(explanation["a"] as? [[Double]]), b = try #require(explanation["b"] as? [[Double]])
            #expect(a.count == grid && b.count == grid && a.allSatisfy { $0.count == grid })
            // Hiding parts of a face changes its similarity: a map of zeros would mean the occlusion did nothing.
            #expect(a.joined().contains { abs($0) > 0.001 } && b.joined().contains { abs($0) > 0.001 })
            let image = try #require(explanation["image"] as? String)
            let png = try #require(Data(base64Encoded: String(image.dropFirst("data:image/png;base64,".count))))
            #expect(try Image(data: [UInt8](png), source: "explanation").width > 2 * 112)
        }
    }

    /// The length limits count code points, as openapi.yaml's maxLength does, not grapheme
    /// clusters: one letter with a million combining accents is one Character, and was enrolled
    /// as a 2 MB name, or asked as a question that took the server minutes to read.
    @Test func lengthLimitsCountCodePoints() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service()
        try await service.makeApplication().test(.router) { client in
            let accents = String(repeating: "\u{0301}", count: 600)
            var (body, type) = Fixtures.multipart([("name", nil, nil, Array(("Z" + accents).utf8)), ("image", "tom.png", "image/png", tom)])
            var response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .badRequest, "\(response.text.prefix(200))")
            #expect(response.text.contains("200 characters"))
            #expect(try await service.gallery.people().isEmpty)

            (body, type) = Fixtures.multipart([("image", "tom.png", "image/png", tom), ("question", nil, nil, Array(("How old?" + accents).utf8))])
            response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(key: Fixtures.readKey, contentType: type), body: body)
            #expect(response.status == .badRequest, "\(response.text.prefix(200))")
            #expect(response.text.contains("longer than 500 characters (608)"), "\(response.text.prefix(200))")

            // Accented letters written precomposed or decomposed are within the limits all the same.
            (body, type) = Fixtures.multipart([("name", nil, nil, Array("Zoe\u{0301} Le\u{0301}a".utf8)), ("image", "tom.png", "image/png", tom)])
            response = try await client.execute(uri: "/v1/people", method: .post, headers: headers(contentType: type), body: body)
            #expect(response.status == .created)
        }
    }

    @Test func askAndDescribeAnswerFromTheAnalysis() async throws {
        let group = try Fixtures.sample("t1.jpg")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            let (body, type) = Fixtures.multipart([("image", "t1.jpg", "image/jpeg", group), ("question", nil, nil, Array("How many people are in this photo?".utf8))])
            var response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(key: Fixtures.readKey, contentType: type), body: body)
            #expect(response.status == .ok)
            #expect(keyOrder(response.text) == ["question", "answer", "value", "confidence", "source"])
            #expect(try response.object()["value"] as? Int == 6)

            // A raw image with the question in the query; a question Visage cannot answer is declined, not guessed.
            response = try await client.execute(uri: "/v1/ask?question=Is%20he%20lying%3F", method: .post,
                                                headers: headers(key: Fixtures.readKey, contentType: "image/jpeg"), body: ByteBuffer(bytes: group))
            #expect(response.status == .ok)
            let declined = try response.object()
            #expect(declined["value"] is NSNull)
            #expect((declined["answer"] as? String)?.contains("cannot") == true)

            response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(key: Fixtures.readKey, contentType: "image/jpeg"), body: ByteBuffer(bytes: group))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("question"))

            response = try await client.execute(uri: "/v1/describe", method: .post, headers: headers(key: Fixtures.readKey, contentType: "image/jpeg"), body: ByteBuffer(bytes: group))
            #expect(response.status == .ok)
            #expect(keyOrder(response.text).prefix(6) == ["image", "width", "height", "summary", "faces", "face"])
            let faces = try #require(try response.object()["faces"] as? [[String: Any]])
            #expect(faces.count == 6)
            #expect(faces.map { $0["face"] as? Int } == Array(1...6))
            #expect(faces.allSatisfy { ($0["description"] as? String)?.isEmpty == false })
        }
    }

    /// With every slot taken and no queue, a request is refused at once with 503 and Retry-After.
    @Test func saturatedServiceAnswers503() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let service = try await Fixtures.service { $0.concurrentAnalyses = 1; $0.queueLimit = 0 }
        try await service.admission.acquire()
        defer { service.admission.release() }
        try await service.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .serviceUnavailable)
            #expect(try response.errorCode() == "busy")
            #expect(response.headers[.retryAfter] != nil)
        }
    }

    @Test func metricsCountRequests() async throws {
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/health", method: .get)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.text.contains(#"visage_http_requests_total{route="/v1/health",method="GET",status="200"} 1"#))
            #expect(response.text.contains("visage_analyses_running"))
        }
    }

    /// One real socket on loopback: health and an analysis.
    /// An address the service cannot listen on is named with what to do, not NIO's
    /// "bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)".
    @Test func addressesItCannotListenOnAreNamed() async throws {
        let first = try await Fixtures.service()
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let running = Task { try await first.run { listening.yield($0) } }
        defer { running.cancel() }
        var next = ports.makeAsyncIterator()
        let port = try #require(await next.next())
        let second = try await Fixtures.service { $0.port = port }
        let taken = ListenError(host: "127.0.0.1", port: port, errno: EADDRINUSE)
        await #expect(throws: taken) { try await second.run() }
        #expect(taken.description.contains("the port is in use") && taken.description.contains("--port 0"))
        let nowhere = try await Fixtures.service { $0.host = "256.1.1.1" }
        await #expect(throws: ListenError(host: "256.1.1.1", port: 0, errno: nil)) { try await nowhere.run() }
    }

    @Test func liveSmoke() async throws {
        let tom = try Fixtures.sample("Tom_Hanks_54745.png")
        let app = try await Fixtures.service().makeApplication()
        try await app.test(.live) { client in
            var response = try await client.execute(uri: "/v1/health", method: .get)
            #expect(try response.object()["status"] as? String == "ok")
            response = try await client.execute(uri: "/v1/analyze", method: .post, headers: headers(contentType: "image/png"), body: ByteBuffer(bytes: tom))
            #expect(response.status == .ok)
            #expect((try response.object()["faces"] as? [Any])?.count == 1)
        }
    }
}
