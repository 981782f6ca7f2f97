public import Foundation
import VisageCore

/// One line of an export file: a person and their templates, embeddings in clear.
public struct ExportedPerson: Codable, Sendable {
    public struct ExportedTemplate: Codable, Sendable {
        public var model: String
        public var sha256: String?
        /// x, y, width, height in the source image's pixels.
        public var box: [Float]?
        public var quality: Float?
        public var created: Date
        public var embedding: [Float]
        /// The attention head's embedding (``Template/maskedFaceEmbedding``); absent in older exports.
        public var maskedFaceEmbedding: [Float]?
        /// The head that made it (``Template/maskedFaceModel``).
        public var maskedFaceModel: String?
        /// Whether the enrolment face was called masked; absent in older exports.
        public var masked: Bool?
    }

    /// The id in the gallery it came from; an import assigns new ids.
    public var id: Int64?
    public var name: String
    public var metadata: [String: String]
    public var created: Date
    public var templates: [ExportedTemplate]
}

extension Gallery {
    /// Writes every person as one JSON line (``ExportedPerson``) to `url`.
    ///
    /// The file holds the embeddings in clear, even from an encrypted gallery: protect it
    /// like the gallery itself. Returns the number of people written.
    @discardableResult
    public func export(to url: URL) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        // Owner-only from the first byte: the export holds every template.
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        let people = try await store.people()
        for person in people {
            let templates = try await store.templates(of: person.id)
            let line = ExportedPerson(id: person.id, name: person.name, metadata: person.metadata, created: person.created,
                                      templates: templates.map {
                                          .init(model: $0.model, sha256: $0.sourceSHA256, box: $0.box.map { [$0.x, $0.y, $0.width, $0.height] },
                                                quality: $0.quality, created: $0.created, embedding: $0.embedding,
                                                maskedFaceEmbedding: $0.maskedFaceEmbedding, maskedFaceModel: $0.maskedFaceModel, masked: $0.masked)
                                      })
            try handle.write(contentsOf: try encoder.encode(line) + Data("\n".utf8))
        }
        try await recordAudit(.export, personIDs: people.map(\.id))
        return people.count
    }

    /// Reads an export file and enrols each line as a new person, one transaction per person.
    ///
    /// `onEach` is called after each person has been committed, so what it reports survives a
    /// crash. A malformed line throws ``GalleryError/invalidImport(line:reason:)`` after the
    /// lines before it were imported.
    @discardableResult
    public func importPeople(from url: URL, onEach: @Sendable (Person) -> Void = { _ in }) async throws -> Int {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data: Data
        do { data = try SmallFile.contents(of: url.path) } catch {
            throw GalleryError.unreadableImport(path: url.path, reason: error.reason)
        }
        var imported = 0
        // Empty lines are kept in the split (and skipped below) so that `number` is the file's line.
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
            let entry: ExportedPerson
            do {
                entry = try decoder.decode(ExportedPerson.self, from: Data(line))
            } catch {
                throw GalleryError.invalidImport(line: number + 1, reason: "not a person record (\(DecodingProblem.describe(error, in: Data(line))))")
            }
            guard !entry.templates.isEmpty else {
                throw GalleryError.invalidImport(line: number + 1, reason: "the person record holds no templates")
            }
            let templates = entry.templates.map { t in
                Template(embedding: t.embedding, model: t.model, sourceSHA256: t.sha256,
                         box: t.box.flatMap { $0.count == 4 ? Rect(x: $0[0], y: $0[1], width: $0[2], height: $0[3]) : nil },
                         quality: t.quality, created: t.created, maskedFaceEmbedding: t.maskedFaceEmbedding,
                         maskedFaceModel: t.maskedFaceModel, masked: t.masked)
            }
            let person: Person
            do {
                (person, _) = try await enroll(name: entry.name, metadata: entry.metadata, created: entry.created, templates: templates)
            } catch GalleryError.consentMissing(let name) {
                throw GalleryError.invalidImport(line: number + 1, reason: "\(name) has no consent record (metadata `\(Self.consentMetadataKey)`), which this gallery requires")
            }
            onEach(person)
            imported += 1
        }
        return imported
    }
}
