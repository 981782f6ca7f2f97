import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Visage
import VisageGallery
import VisageTestSupport
@testable import VisageServer

/// `visage serve --age-gender stacked`: /v1/ask names the model the service's analyzer used for
/// age and gender, not the default head.
struct AskModelsTests {
    @Test func askNamesTheAgeAndGenderModelTheServiceRuns() async throws {
        let portrait = try Fixtures.sample("Tom_Hanks_54745.png")
        let (_, embedder) = try #require(Fixtures.analyzers, "the models are missing: run `make setup` (scripts/setup) first")
        var stacked = FaceAnalyzer.Configuration()
        stacked.tasks = .all
        stacked.ageModel = .stacked
        stacked.genderModel = .stacked
        let analyzer = try FaceAnalyzer(configuration: stacked)
        let folder = try TemporaryDirectory.make(prefix: "visage-server-tests")
        let gallery = try await Gallery.open(folder.appendingPathComponent("test.gallery").path, analyzer: embedder)
        var configuration = VisageService.Configuration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let service = VisageService(configuration: configuration, analyzer: analyzer, embedder: embedder, gallery: gallery, keys: Fixtures.keys)
        try await service.makeApplication().test(.router) { client in
            for (question, source) in [("How old is he?", "age-sface-head + age-v1 (stacked)"), ("Is this a man?", "gender-sface-head + gender-v1 (stacked)")] {
                let (body, type) = Fixtures.multipart([("image", "tom.png", "image/png", portrait), ("question", nil, nil, Array(question.utf8))])
                let response = try await client.execute(uri: "/v1/ask", method: .post, headers: headers(key: Fixtures.readKey, contentType: type), body: body)
                #expect(response.status == .ok)
                let object = try response.object()
                #expect(object["source"] as? String == source, "\(response.text)")
            }
        }
    }
}
