import Foundation
import Testing
import VisageGallery

/// Crashes and concurrent use: what was reported enrolled survives SIGKILL, and reads go on
/// while another connection writes.
struct ReliabilityTests {
    /// The `visage` executable beside the test bundle in the build products folder.
    static let binary: URL? = {
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
        let fallback = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/visage")
        return FileManager.default.fileExists(atPath: fallback.path) ? fallback : nil
    }()

    /// A bulk import (the enrolment path without the photos: one transaction per person,
    /// printed once committed) killed with SIGKILL part way: every person it printed is in the
    /// gallery with all their templates, the file passes `integrity_check`, and it takes more.
    @Test(.enabled(if: binary != nil, "the visage executable is not built: skipping the SIGKILL test"))
    func sigkillDuringBulkEnrolLosesNothingReported() async throws {
        let folder = try Fixtures.temporaryDirectory()
        let exportFile = folder.appendingPathComponent("people.jsonl")
        var generator = SeededGenerator(state: 2024)
        var lines = ""
        let formatter = ISO8601DateFormatter()
        for i in 0..<5000 {
            let templates = (0..<3).map { _ in
                "{\"model\": \"sface_2021dec\", \"created\": \"\(formatter.string(from: Date()))\", \"embedding\": [\(Fixtures.randomUnitVector(using: &generator).map { "\($0)" }.joined(separator: ","))]}"
            }
            lines += "{\"name\": \"person-\(i)\", \"metadata\": {}, \"created\": \"\(formatter.string(from: Date()))\", \"templates\": [\(templates.joined(separator: ","))]}\n"
        }
        try Data(lines.utf8).write(to: exportFile)
        let gallery = folder.appendingPathComponent("bulk.gallery").path

        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["gallery", "import", "--json", "--gallery", gallery, exportFile.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var received = Data()
        while received.filter({ $0 == UInt8(ascii: "\n") }).count < 300 {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the import finished before it was killed: make the file larger")
        received.append(out.fileHandleForReading.readDataToEndOfFile())

        // Only complete lines count as reported.
        let reported = String(decoding: received, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(reported.count >= 300)

        let store = try SQLiteGalleryStore(path: gallery)
        #expect(try store.integrityCheck() == "ok")
        let reopened = try await Gallery(store: store)
        let people = try await reopened.people()
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        for entry in reported {
            let id = Int64(try #require(entry["id"] as? Int))
            let person = try #require(byID[id], "person \(id) was reported enrolled but is missing")
            #expect(person.name == entry["name"] as? String)
            #expect(person.templateCount == 3)
        }
        // Nothing half-written: everyone in the file has all three templates.
        #expect(people.allSatisfy { $0.templateCount == 3 })
        #expect(people.count < 5000)
        // And the gallery goes on working.
        let (added, _) = try await reopened.enroll(name: "after-crash", templates: [Template(embedding: Fixtures.randomUnitVector(using: &generator), model: Gallery.embeddingModel)])
        #expect(try await reopened.person(added.id).0.name == "after-crash")
    }

    /// One connection enrols while another opens, lists and searches the same file.
    @Test func readsGoOnWhileAnotherConnectionWrites() async throws {
        let path = try Fixtures.galleryPath()
        let writer = try await Gallery.open(path)
        var generator = SeededGenerator(state: 77)
        let vectors = (0..<300).map { _ in Fixtures.randomUnitVector(using: &generator) }
        let probe = vectors[0]
        try await writer.enroll(name: "first", templates: [Template(embedding: probe, model: Gallery.embeddingModel)])

        async let writing: Void = {
            for (i, v) in vectors.dropFirst().enumerated() {
                try await writer.enroll(name: "p\(i)", templates: [Template(embedding: v, model: Gallery.embeddingModel)])
            }
        }()
        var reads = 0
        for _ in 0..<20 {
            let reader = try await Gallery.open(path)
            #expect(try await reader.identify(embedding: probe, topK: 1).match?.name == "first")
            #expect(try await reader.people().count >= 1)
            #expect(await writer.search(probe, topK: 1).match?.name == "first")
            reads += 1
        }
        try await writing
        #expect(reads == 20)
        #expect(try await Gallery.open(path).stats().templates == 300)
    }
}
