import Foundation
import Testing
import VisageTestSupport
import VisageGallery

/// Crashes and concurrent use, on both stores: what was reported enrolled survives SIGKILL,
/// reads go on while another connection writes, and each gallery sees the other's writes.
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
    /// gallery with all their templates, a SQLite file passes `integrity_check`, and it takes more.
    @Test(.enabled(if: binary != nil, "the visage executable is not built: skipping the SIGKILL test"), arguments: StoreKind.allCases)
    func sigkillDuringBulkEnrolLosesNothingReported(_ store: StoreKind) async throws {
        let folder = try Fixtures.temporaryURL()
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
        let gallery = try await Fixtures.galleryLocation(store)

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

        if store == .sqlite { #expect(try SQLiteGalleryStore(path: gallery).integrityCheck() == "ok") }
        let reopened = try await Gallery.open(gallery)
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

    /// One connection enrols while another opens, lists and searches the same gallery.
    @Test(arguments: StoreKind.allCases)
    func readsGoOnWhileAnotherConnectionWrites(_ store: StoreKind) async throws {
        let path = try await Fixtures.galleryLocation(store)
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

/// Two galleries over one store, as two processes or two service nodes would have: each one's
/// index follows the other's enrolments and deletions, with nothing but the store between them.
struct SharedStoreTests {
    func template(_ embedding: [Float]) -> Template { Template(embedding: embedding, model: Gallery.embeddingModel) }

    @Test(arguments: StoreKind.allCases)
    func eachGallerySeesTheOthersWrites(_ store: StoreKind) async throws {
        let location = try await Fixtures.galleryLocation(store)
        let a = try await Gallery.open(location), b = try await Gallery.open(location)
        var generator = SeededGenerator(state: 404)
        let ada = (0..<2).map { _ in Fixtures.randomUnitVector(using: &generator) }
        let bob = Fixtures.randomUnitVector(using: &generator)

        // Enrolled through a, identified through b (which loaded the empty gallery before).
        let (adaPerson, _) = try await a.enroll(name: "ada", templates: ada.map(template))
        let seen = try await b.identify(embedding: ada[1], topK: 3)
        #expect(seen.match?.personID == adaPerson.id)
        #expect(seen.match?.name == "ada")
        #expect(try #require(seen.bestSimilarity) > 0.999)

        // More faces added through b reach a; b's own write is not counted twice after its refresh.
        let (_, added) = try await b.addTemplates([template(bob)], to: adaPerson.id)
        #expect(try await a.identify(embedding: bob, topK: 1).match?.name == "ada")
        #expect(try await b.stats().templates == 3)
        #expect(try await a.stats().templates == 3)

        // Deleted through a: b stops finding her, and the candidates hold nobody deleted.
        try await a.delete(personID: adaPerson.id)
        let after = try await b.identify(embedding: ada[0], topK: 3)
        #expect(after.candidates.isEmpty)
        #expect(try await b.stats().people == 0)
        await #expect(throws: GalleryError.unknownPerson(id: adaPerson.id)) { try await b.addTemplates([template(bob)], to: adaPerson.id) }
        #expect(added.count == 1)

        // Interleaved writes from both sides end in the same index on both.
        for i in 0..<10 {
            let writer = i.isMultiple(of: 2) ? a : b
            try await writer.enroll(name: "p\(i)", templates: [template(Fixtures.randomUnitVector(using: &generator))])
        }
        let probe = Fixtures.randomUnitVector(using: &generator)
        let fromA = try await a.identify(embedding: probe, topK: 10), fromB = try await b.identify(embedding: probe, topK: 10)
        #expect(fromA.candidates.count == 10)
        #expect(fromA.candidates == fromB.candidates)
    }
}
