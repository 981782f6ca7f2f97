import Foundation
import Testing
import VisageTestSupport

/// `visage describe`, `ask`, `eval qa` and `dataset qa` as a user runs them.
struct AskCLITests {
    @Test func askJSONHasExactlyTheDocumentedKeys() throws {
        let run = try CLITests.visage("ask", "--json", CLITests.groupPhoto, "How many people are in this photo?")
        #expect(run.status == 0)
        let line = try #require(run.lines.first)
        #expect(CLITests.keyOrder(line) == ["question", "answer", "value", "confidence", "source"])
        let object = try CLITests.object(line)
        #expect(object["value"] as? Int == 6)
        #expect(object["question"] as? String == "How many people are in this photo?")
        #expect(object["source"] as? String == "yunet_2023mar")
    }

    @Test func declinedQuestionHasANullValueAndExitsZero() throws {
        let run = try CLITests.visage("ask", "--json", CLITests.portrait, "What is his name?")
        #expect(run.status == 0)
        let object = try CLITests.firstObject(run)
        #expect(object["value"] is NSNull)
        #expect(object["confidence"] is NSNull)
        #expect((object["answer"] as? String)?.contains("--gallery") == true)
    }

    @Test func yesNoValueIsABool() throws {
        let run = try CLITests.visage("ask", "--json", CLITests.portrait, "Is this a man?")
        let object = try CLITests.firstObject(run)
        #expect(object["value"] as? Bool == true)
        #expect(object["source"] as? String == "gender-sface-head")
    }

    @Test func unreadableImageExitsWithBadInput() throws {
        let run = try CLITests.visage("ask", "/nonexistent/photo.jpg", "How old is she?")
        #expect(run.status == 3)
        #expect(run.stderr.contains("/nonexistent/photo.jpg"))
    }

    @Test func missingGalleryIsBadInput() throws {
        let run = try CLITests.visage("ask", "--gallery", "/nonexistent/staff.gallery", CLITests.portrait, "Who is this?")
        #expect(run.status == 3)
        #expect(run.stderr.contains("no gallery"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/staff.gallery"))
    }

    @Test func llmConnectionRefusedPrintsVisagesAnswerThenFails() throws {
        // Port 9 (discard) on loopback: nothing listens there in a test environment.
        let run = try CLITests.visage("ask", "--llm", "http://127.0.0.1:9", "--llm-timeout", "5", CLITests.portrait, "How old is he?")
        #expect(run.status == 1)
        #expect(run.stdout.contains("years old"))
        #expect(run.stderr.contains("Could not reach the model server"))
    }

    @Test func describeJSONLeavesOutWhatWasNotMeasured() throws {
        let run = try CLITests.visage("describe", "--json", CLITests.groupPhoto)
        #expect(run.status == 0)
        let line = try #require(run.lines.first)
        let object = try CLITests.object(line)
        #expect(object["summary"] as? String == "6 faces, numbered from the left of the picture.")
        let faces = try #require(object["faces"] as? [[String: Any]])
        #expect(faces.count == 6)
        #expect(faces.map { $0["face"] as? Int } == Array(1...6))
        for face in faces {
            #expect(face["identity"] == nil)
            #expect(face["description"] is String)
            #expect((face["enrolment"] as? [String: Any])?["fit"] is Bool)
        }
    }

    @Test func describeText() throws {
        let run = try CLITests.visage("describe", CLITests.portrait)
        #expect(run.status == 0)
        #expect(run.stdout.contains("1 face, in the centre."))
        #expect(run.stdout.contains("appears male"))
    }

    @Test func datasetQAWritesConversations() throws {
        let root = try Fixtures.temporaryDirectory(prefix: "visage-ask-cli")
        try FileManager.default.createDirectory(atPath: root + "/utk", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["34_1_0_20170109.jpg.chip.jpg", "61_0_3_20170109.jpg.chip.jpg"] {
            try FileManager.default.copyItem(atPath: CLITests.portrait, toPath: root + "/utk/" + name)
        }
        let out = root + "/qa.jsonl"
        let run = try CLITests.visage("dataset", "qa", root + "/utk", "--out", out, "--seed", "3")
        #expect(run.status == 0)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let again = try CLITests.visage("dataset", "qa", root + "/utk", "--out", out + "2", "--seed", "3")
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == String(contentsOfFile: out + "2", encoding: .utf8))
        let bad = try CLITests.visage("dataset", "qa", root, "--out", out)
        #expect(bad.status == 3)
    }

    @Test func evalQAWithoutDataIsBadInput() throws {
        let run = try CLITests.visage("eval", "qa", "--data", "/nonexistent", "--output", FileManager.default.temporaryDirectory.path + "/qa-none")
        #expect(run.status == 3)
    }
}
