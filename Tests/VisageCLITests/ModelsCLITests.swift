import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import VisageTestSupport

/// `visage models`, as an operator checks a machine's model folder.
struct ModelsCLITests {
    /// The set-up's folder passes `--check`, and the listing names what allows no commercial use.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func theSetUpsFolderPassesTheCheck() throws {
        let run = try CLITests.visage("models", "--check")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("sface_2021dec.onnx") && run.stdout.contains("as-installed"), "\(run.stdout)")
        #expect(run.stdout.contains("Non-commercial research only, and used by default: ") && run.stdout.contains("expression-fer2013.onnx"))

        let json = try CLITests.visage("models", "--json")
        #expect(json.status == 0)
        let objects = try json.lines.map(CLITests.object)
        let sface = try #require(objects.first { $0["file"] as? String == "sface_2021dec.onnx" })
        #expect(sface["state"] as? String == "as-installed" && sface["sha256"] as? String == sface["installed_sha256"] as? String)
        #expect(sface["use"] as? String == "check-training-data" && sface["document"] as? String == "docs/models/sface.md")
        #expect(objects.first { $0["file"] as? String == "age-sface-head.onnx" }?["use"] as? String == "research-only")
    }

    /// A folder with one head replaced and the detector gone fails `--check`, naming both and what to do.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func aDamagedFolderFailsTheCheckNamingTheFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Fixtures.modelDirectory) where file.hasSuffix(".onnx") && file != "yunet_2023mar.onnx" {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(file).path, withDestinationPath: Fixtures.modelDirectory + "/" + file)
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("gender-sface-head.onnx"))
        let head = try Data(contentsOf: URL(fileURLWithPath: Fixtures.modelDirectory + "/gender-sface-head.onnx"))
        try head.prefix(head.count / 2).write(to: folder.appendingPathComponent("gender-sface-head.onnx"))

        let listed = try CLITests.visage("models", "--models", folder.path)
        #expect(listed.status == 0, "without --check the listing is not a failure: \(listed.stderr)")
        let checked = try CLITests.visage("models", "--check", "--models", folder.path)
        #expect(checked.status == 1)
        #expect(checked.stderr.contains("2 model files in \(folder.path) need attention: yunet_2023mar.onnx, gender-sface-head.onnx"), "\(checked.stderr)")
        #expect(checked.stdout.contains("yunet_2023mar.onnx: run `make setup`"), "\(checked.stdout)")
        #expect(checked.stdout.contains("gender-sface-head.onnx: not the file set-up installs"), "\(checked.stdout)")
    }

    /// A mistyped folder, or a file given as one, is said plainly instead of a list of missing models.
    @Test func aFolderThatIsNotThereIsSaidSo() throws {
        let missing = try CLITests.visage("models", "--models", "/nonexistent/visage-models")
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("There is no model folder at /nonexistent/visage-models (--models)"), "\(missing.stderr)")
        let file = try CLITests.visage("models", "--models", CLITests.portrait)
        #expect(file.status == 1 && file.stderr.contains("is not a folder"), "\(file.stderr)")
    }

    /// `--no-research-only-models`: analyze answers from the package's networks and leaves
    /// expression out, saying so; what cannot do without a research-only model refuses, naming it.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func withoutResearchOnlyModels() throws {
        let run = try CLITests.visage("analyze", "--no-research-only-models", "--json", CLITests.groupPhoto)
        #expect(run.status == 0, "\(run.stderr)")
        let faces = try #require(try CLITests.firstObject(run)["faces"] as? [[String: Any]])
        #expect(faces.count == 6 && faces.allSatisfy { $0["expression"] is NSNull && $0["age"] is Double })
        #expect(run.stderr.contains("note: --no-research-only-models: no expression"), "\(run.stderr)")

        let stacked = try CLITests.visage("analyze", "--no-research-only-models", "--age-gender", "stacked", CLITests.groupPhoto)
        #expect(stacked.status == 64 && stacked.stderr.contains("for non-commercial research only"), "\(stacked.stderr)")

        let expression = try CLITests.visage("eval", "expression", "--no-research-only-models")
        #expect(expression.status == 1)
        #expect(expression.stderr.contains("expression-fer2013.onnx is one"), "\(expression.stderr)")
        let attention = try CLITests.visage("eval", "verification", "--protocol", "cfp-ff", "--mask", "one", "--mask-matching", "attention", "--no-research-only-models")
        #expect(attention.status == 1 && attention.stderr.contains("mfsa-attention-head.onnx is one"), "\(attention.stderr)")
    }

    /// A head whose weights are not the set-up's (one bit changed: it still loads) is warned about
    /// in serve's first lines and reported by GET /v1/models as a problem.
    @Test(.enabled(if: Fixtures.hasModels, "the models are missing: run `make setup`"))
    func serveWarnsAboutAFileThatIsNotTheSetUps() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-serve-models-\(UUID().uuidString)")
        let models = folder.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Fixtures.modelDirectory) where file.hasSuffix(".onnx") && file != "gender-sface-head.onnx" {
            try FileManager.default.createSymbolicLink(atPath: models.appendingPathComponent(file).path, withDestinationPath: Fixtures.modelDirectory + "/" + file)
        }
        var head = try Data(contentsOf: URL(fileURLWithPath: Fixtures.modelDirectory + "/gender-sface-head.onnx"))
        head[head.count / 2] ^= 1
        try head.write(to: models.appendingPathComponent("gender-sface-head.onnx"))

        let server = try CLITests.serve(["--insecure-no-auth", "--port", "0", "--models", models.path, "--gallery", folder.appendingPathComponent("g.gallery").path])
        defer { server.stop() }
        let said = server.startLines
        let base = try #require(server.address, "no address in: \(said)")
        #expect(said.contains("warning: model gender-sface-head.onnx (differs): not the file set-up installs"), "\(said)")
        let (body, _) = try await URLSession.shared.data(from: try #require(URL(string: base + "/v1/models")))
        let listed = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["models"] as? [[String: Any]])
        let gender = try #require(listed.first { $0["file"] as? String == "gender-sface-head.onnx" })
        #expect(gender["state"] as? String == "differs" && gender["problem"] as? Bool == true)
        #expect(gender["sha256"] as? String != gender["installed_sha256"] as? String)
        #expect(listed.filter { $0["problem"] as? Bool == true }.count == 1, "\(listed)")
        // The same for a fleet's monitoring, without asking each node.
        let (metrics, _) = try await URLSession.shared.data(from: try #require(URL(string: base + "/metrics")))
        let text = String(decoding: metrics, as: UTF8.self)
        #expect(text.contains(#"visage_model_info{file="gender-sface-head.onnx",state="differs",use="research-only"} 1"#), "\(text)")
        #expect(text.contains(#"visage_model_info{file="sface_2021dec.onnx",state="as-installed",use="check-training-data"} 1"#))
    }
}
