import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `--age-gender` (analyze, serve) reaches the analyzer: each model answers the same photo in
/// its own way, and leaving the option out keeps the heads on SFace's map.
struct AgeGenderCLITests {
    struct Answers: Equatable {
        var ages: [Double]
        var genders: [String]
        var scores: [Double]
    }

    static func answers(_ options: [String]) throws -> Answers {
        let run = try CLITests.visage(["analyze", "--json", "--attributes", "age,gender"] + options + [CLITests.groupPhoto])
        #expect(run.status == 0, "\(run.stderr)")
        let faces = try #require(try CLITests.firstObject(run)["faces"] as? [[String: Any]])
        var answers = Answers(ages: [], genders: [], scores: [])
        for face in faces {
            answers.ages.append(try #require(face["age"] as? Double))
            let gender = try #require(face["gender"] as? [String: Any])
            answers.genders.append(try #require(gender["label"] as? String))
            answers.scores.append(try #require(gender["score"] as? Double))
        }
        return answers
    }

    @Test func theOptionChoosesWhereAgeAndGenderComeFrom() throws {
        let byDefault = try Self.answers([])
        let heads = try Self.answers(["--age-gender", "sface-head"])
        let separate = try Self.answers(["--age-gender", "separate"])
        let stacked = try Self.answers(["--age-gender", "stacked"])
        #expect(byDefault == heads, "the default is the heads on SFace's map")
        #expect(byDefault.ages.count == 6 && separate.ages.count == 6 && stacked.ages.count == 6)
        #expect(separate.ages != heads.ages && separate.scores != heads.scores)
        #expect(stacked.ages != heads.ages && stacked.ages != separate.ages)
        #expect(stacked.scores != heads.scores && stacked.scores != separate.scores)
        // The stacked age combines the other two: never far outside the range they span (the
        // package's age inside the stack is the mean over its chip and the chip's mirror image).
        for ((h, s), st) in zip(zip(heads.ages, separate.ages), stacked.ages) {
            #expect(st >= min(h, s) - 6 && st <= max(h, s) + 6, "heads \(h), package \(s), stacked \(st)")
        }
    }

    @Test func anUnknownModelIsAUsageErrorThatListsTheModels() throws {
        for arguments in [["analyze", "--age-gender", "best", CLITests.portrait], ["serve", "--insecure-no-auth", "--age-gender", "best"]] {
            let run = try CLITests.visage(arguments)
            #expect(run.status == 64)
            #expect(run.stderr.contains("--age-gender") && run.stderr.contains("sface-head") && run.stderr.contains("stacked"), "\(run.stderr)")
        }
    }

    /// `serve --age-gender stacked` answers POST /v1/analyze with the stacked ages, the ones
    /// `analyze --age-gender stacked` prints for the same photo.
    @Test func serveTakesTheOptionToItsAnalyzer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-age-gender-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try CLITests.serve(["--insecure-no-auth", "--port", "0", "--gallery", folder.appendingPathComponent("test.gallery").path,
                                         "--age-gender", "stacked"])
        defer { server.stop() }
        let said = server.startLines
        let base = try #require(server.address, "no address in: \(said)")
        var request = URLRequest(url: try #require(URL(string: base + "/v1/analyze")))
        request.httpMethod = "POST"
        request.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
        let (body, response) = try await URLSession.shared.upload(for: request, from: try Data(contentsOf: URL(fileURLWithPath: CLITests.groupPhoto)))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let served = try #require(object["faces"] as? [[String: Any]]).compactMap { $0["age"] as? Double }
        let stacked = try Self.answers(["--age-gender", "stacked"]).ages
        let heads = try Self.answers([]).ages
        #expect(served.count == stacked.count && served.count == 6)
        #expect(zip(served, stacked).allSatisfy { abs($0 - $1) < 0.05 }, "served \(served), analyze --age-gender stacked \(stacked)")
        #expect(zip(served, heads).contains { abs($0 - $1) > 0.5 }, "served \(served), the heads' \(heads)")

        // Its first lines name the models that allow no commercial use, and GET /v1/models lists
        // what this configuration loaded: the package's networks beside the heads.
        #expect(said.contains("visage: models for non-commercial research only: ") && said.contains("age-sface-head.onnx"), "\(said)")
        let (listing, _) = try await URLSession.shared.data(from: try #require(URL(string: base + "/v1/models")))
        let models = try #require((try JSONSerialization.jsonObject(with: listing) as? [String: Any])?["models"] as? [[String: Any]])
        let files = models.compactMap { $0["file"] as? String }
        #expect(files.contains("age-v1.onnx") && files.contains("gender-v1.onnx") && files.contains("age-sface-head.onnx"), "\(files)")
    }
}
