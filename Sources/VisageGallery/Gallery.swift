public import Foundation
public import Visage
import VisageCore

/// A persistent face gallery: enrol people from photos, then ask "who is this?" — with
/// "nobody we know" as an answer.
///
/// ```swift
/// let gallery = try await Gallery.open("staff.gallery", analyzer: try FaceAnalyzer())
/// let enrolled = try await gallery.enroll(name: "Ada", images: ["ada1.jpg", "ada2.jpg"])
/// for (face, answer) in try await gallery.identify(imageAt: "door.jpg") {
///     print(face.box, answer.match?.name ?? "unknown", answer.bestSimilarity ?? 0)
/// }
/// ```
///
/// The store (``SQLiteGalleryStore`` by default, ``PostgresGalleryStore`` for a `postgres://`
/// URL) is the truth; the ``GalleryIndex`` in memory is loaded from it when the gallery opens
/// and updated after every enrol and delete has been committed. Other processes may write to
/// the same store (a CLI beside a server, several service nodes): before every identify,
/// enrol of more faces, delete and stats, the gallery asks the store for the changes committed
/// since it last looked (``refresh()``), so an operation that starts after a write has returned
/// anywhere sees it. Being an actor, a gallery lets identifications run while an enrolment is
/// busy embedding photos; each write to the store is one transaction. Every enrol, identify,
/// delete, export and import is written to the store's audit trail (no images, no embeddings).
public actor Gallery {
    /// Settings of a ``Gallery``; each property states its default.
    public struct Configuration: Sendable {
        /// Cosine similarity at or above which the best candidate is a match; default
        /// ``Gallery/defaultThreshold``.
        public var threshold: Float = Gallery.defaultThreshold
        /// Who the audit trail names; default the OS user (`$USER`), else "visage".
        public var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "visage"
        /// How the index is searched; default `.automatic`: exact float32 up to
        /// ``VectorIndex/defaultInvertedThreshold`` templates, the inverted file above it.
        public var searchMode: VectorIndex.Mode = .automatic
        /// Model name and version stamped on templates; only templates of this model are accepted.
        /// Default `sface_2021dec`, the embedder ``FaceAnalyzer`` runs.
        public var model: String = Gallery.embeddingModel
        /// Embedding size; default 128 (SFace).
        public var dimension: Int = 128
        /// Whether identifications are written to the audit trail; default true.
        public var auditsIdentifications = true
        /// Whether the gallery's own operations write audit entries; default true. The service
        /// turns it off because it writes one richer entry per request itself (who, with which
        /// role, how it ended), refusals included.
        public var recordsAudit = true
        /// How long audit entries are kept; default nil, for ever. Older entries are deleted when
        /// the gallery opens and then at most once an hour, as entries are written.
        public var auditRetention: Duration?

        public init() {}
    }

    /// The embedder's name and version, stamped on every template.
    public static let embeddingModel = "sface_2021dec"

    /// Default identification threshold: 0.4952, the cosine similarity at a false-positive
    /// identification rate of 1e-3 on CFP, measured by `visage calibrate --protocol cfp`
    /// (docs/gallery.md): identities 251–500 enrolled from frontal photos 01–05, every photo of
    /// identities 001–250 searched as a stranger, and the threshold set just above all but
    /// 0.1% of those 3,483 strangers' best similarities (3 of them reach 0.4952 or more; the
    /// highest is 0.530). Measured with YuNet + SFace 2021dec.
    ///
    /// It is far above the pair threshold at the same rate (``Verification/defaultThreshold``,
    /// 0.303) because a search keeps a stranger's best score over the whole gallery. With 3,483
    /// strangers the 1e-3 point rests on a handful of scores, and the rate grows with the
    /// number of people enrolled: recalibrate for galleries much larger than 250 people.
    public static let defaultThreshold: Float = 0.4952

    public nonisolated let store: any GalleryStore
    public nonisolated let configuration: Configuration
    public nonisolated let analyzer: FaceAnalyzer?
    private var index: GalleryIndex
    private var names: [Int64: String] = [:]
    /// When ``pruneAuditIfDue()`` last deleted old entries.
    private var lastAuditPrune: ContinuousClock.Instant?
    /// The store's generation the index reflects (it may hold some later writes of its own too).
    private var generation: Int64

    /// Opens a gallery over `store` and loads its templates into memory.
    ///
    /// - Parameter analyzer: needed only to enrol or identify from images.
    public init(store: any GalleryStore, analyzer: FaceAnalyzer? = nil, configuration: Configuration = .init()) async throws {
        self.store = store
        self.analyzer = analyzer
        self.configuration = configuration
        // The generation first: whatever is committed after it is replayed by the next refresh.
        generation = try await store.generation()
        var index = GalleryIndex(dimension: configuration.dimension)
        for template in try await store.allTemplates() {
            try Self.check(template, configuration)
            index.add(template)
        }
        self.index = index
        for person in try await store.people() { names[person.id] = person.name }
        try await pruneAuditIfDue()
    }

    /// Opens (creating it if needed) the gallery at `location`: a SQLite file path, or a
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL (``PostgresLocation``).
    ///
    /// - Parameter cipher: the key for encrypted templates; a new gallery is encrypted when given one.
    public static func open(_ location: String, cipher: TemplateCipher? = nil, analyzer: FaceAnalyzer? = nil,
                            configuration: Configuration = .init()) async throws -> Gallery {
        let store: any GalleryStore = PostgresLocation.isPostgres(location)
            ? try await PostgresGalleryStore(url: location, cipher: cipher)
            : try SQLiteGalleryStore(path: location, cipher: cipher)
        return try await Gallery(store: store, analyzer: analyzer, configuration: configuration)
    }

    /// Brings the index up to date with what other processes committed to the store since the
    /// last look: one cheap read of the store's generation when nothing changed.
    public func refresh() async throws {
        while true {
            let seen = generation
            let changes = try await store.changes(since: seen)
            // Another refresh ran while this one waited for the store: start over from where it
            // got to, rather than apply older changes over newer ones.
            guard generation == seen else { continue }
            guard changes.generation > seen else { return }
            for id in changes.deletedPersonIDs {
                index.removePerson(id)
                names[id] = nil
            }
            for template in changes.templates {
                try Self.check(template, configuration)
                index.add(template)
            }
            for person in changes.people { names[person.id] = person.name }
            generation = changes.generation
            return
        }
    }

    // MARK: - Enrol

    /// The outcome of enrolling from images: the person stored, and the images that gave no template.
    public struct Enrollment: Sendable {
        public var person: Person
        public var templates: [Template]
        /// Image path and why it was not used (unreadable, no face).
        public var rejected: [(path: String, reason: String)]
    }

    /// Enrols a new person from photos: the largest face of each image becomes a template.
    ///
    /// Images without a usable face are listed in ``Enrollment/rejected``; if none has one, it
    /// throws ``GalleryError/noFace(image:)`` and stores nothing.
    public func enroll(name: String, metadata: [String: String] = [:], images: [String]) async throws -> Enrollment {
        let (templates, rejected) = try await templates(from: images)
        guard !templates.isEmpty else {
            if let first = rejected.first, rejected.count == 1 {
                throw first.reason.hasPrefix("no face") ? GalleryError.noFace(image: first.path) : GalleryError.nothingToEnroll
            }
            throw images.isEmpty ? GalleryError.nothingToEnroll : GalleryError.noFace(image: images[0])
        }
        let (person, stored) = try await enroll(name: name, metadata: metadata, templates: templates)
        return Enrollment(person: person, templates: stored, rejected: rejected)
    }

    /// Enrols a new person from ready-made templates (for example an import); one transaction.
    @discardableResult
    public func enroll(name: String, metadata: [String: String] = [:], created: Date = Date(), templates: [Template]) async throws -> (Person, [Template]) {
        guard !templates.isEmpty else { throw GalleryError.nothingToEnroll }
        for template in templates { try Self.check(template, configuration) }
        let (person, stored) = try await store.insert(name: name, metadata: metadata, created: created, templates: templates)
        for template in stored { index.add(template) }
        names[person.id] = person.name
        try await audit(.enroll, [person.id])
        return (person, stored)
    }

    /// Adds ready-made templates to someone already enrolled (for example faces from an upload); one transaction.
    public func addTemplates(_ templates: [Template], to personID: Int64) async throws -> (Person, [Template]) {
        guard !templates.isEmpty else { throw GalleryError.nothingToEnroll }
        try await refresh()
        guard names[personID] != nil, var person = try await store.person(id: personID) else { throw GalleryError.unknownPerson(id: personID) }
        for template in templates { try Self.check(template, configuration) }
        let stored = try await store.addTemplates(templates, to: personID)
        for template in stored { index.add(template) }
        try await audit(.addFaces, [personID])
        person.templateCount += stored.count
        return (person, stored)
    }

    /// The template for an analysed face (which must carry an embedding), stamped with the gallery's model.
    public nonisolated func template(for face: Face, imageData: Data?) throws -> Template {
        guard let embedding = face.embedding else { throw GalleryError.incompatibleEmbedding(reason: "the face has no embedding") }
        return Template(embedding: embedding, model: configuration.model, sourceSHA256: imageData.map(sha256Hex(of:)),
                        box: face.box, quality: face.score)
    }

    private func templates(from images: [String]) async throws -> ([Template], [(path: String, reason: String)]) {
        guard let analyzer else { throw GalleryError.analyzerRequired }
        var templates: [Template] = []
        var rejected: [(path: String, reason: String)] = []
        for await item in analyzer.analyzeFiles(images) {
            switch item.result {
            case let .success(analyzed):
                guard let face = analyzed.faces.largest, face.embedding != nil else {
                    rejected.append((item.path, "no face found"))
                    continue
                }
                templates.append(try template(for: face, imageData: FileManager.default.contents(atPath: item.path)))
            case let .failure(error):
                rejected.append((item.path, (error as? any LocalizedError)?.errorDescription ?? String(describing: error)))
            }
        }
        return (templates, rejected)
    }

    // MARK: - Identify

    /// Who `embedding` belongs to: the top `topK` people and the match, if any reaches the threshold.
    public func identify(embedding: [Float], topK: Int = 5) async throws -> Identification {
        try await refresh()
        let answer = search(embedding, topK: topK)
        if configuration.auditsIdentifications { try await audit(.identify, answer.match.map { [$0.personID] } ?? []) }
        return answer
    }

    /// Identifies a face that carries an embedding (``FaceAnalyzer`` with the `.embedding` task).
    public func identify(face: Face, topK: Int = 5) async throws -> Identification {
        guard let embedding = face.embedding else { throw GalleryError.incompatibleEmbedding(reason: "the face has no embedding") }
        return try await identify(embedding: embedding, topK: topK)
    }

    /// Identifies every face in an image file; one audit entry for the image.
    public func identify(imageAt path: String, topK: Int = 5) async throws -> [(face: Face, identification: Identification)] {
        guard let analyzer else { throw GalleryError.analyzerRequired }
        let faces = try await analyzer.analyze(contentsOf: path).faces.filter { $0.embedding != nil }
        return Array(zip(faces, try await identify(faces: faces, topK: topK)))
    }

    /// Identifies the faces of one image (each must carry an embedding); one audit entry for them all.
    public func identify(faces: [Face], topK: Int = 5) async throws -> [Identification] {
        try await refresh()
        let results = try faces.map { face in
            guard let embedding = face.embedding else { throw GalleryError.incompatibleEmbedding(reason: "the face has no embedding") }
            return search(embedding, topK: topK)
        }
        if configuration.auditsIdentifications { try await audit(.identify, results.compactMap { $0.match?.personID }) }
        return results
    }

    /// The search itself, without audit and without ``refresh()`` (the index as it last was):
    /// for evaluations that run thousands of queries.
    public func search(_ embedding: [Float], topK: Int = 5) -> Identification {
        let candidates = index.search(embedding, k: max(1, topK), mode: configuration.searchMode).map {
            Identification.Candidate(personID: $0.personID, name: names[$0.personID] ?? "", similarity: $0.similarity)
        }
        return Identification(candidates: candidates, threshold: configuration.threshold)
    }

    // MARK: - People

    public func people() async throws -> [Person] { try await store.people() }

    /// A person and their templates; throws ``GalleryError/unknownPerson(id:)``.
    public func person(_ id: Int64) async throws -> (Person, [Template]) {
        guard let person = try await store.person(id: id) else { throw GalleryError.unknownPerson(id: id) }
        return (person, try await store.templates(of: id))
    }

    /// Deletes a person and every template of theirs, from the store and then from the index.
    @discardableResult
    public func delete(personID: Int64) async throws -> Int {
        let removed = try await store.deletePerson(id: personID)
        index.removePerson(personID)
        names[personID] = nil
        try await audit(.delete, [personID])
        return removed.count
    }

    /// Counts and sizes, for `visage gallery stats`.
    public struct Stats: Sendable {
        public var people: Int
        public var templates: Int
        public var dimension: Int
        public var model: String
        public var encrypted: Bool
        public var threshold: Float
        public var storeBytes: Int?
        public var indexBytes: Int
    }

    public func stats() async throws -> Stats {
        try await refresh()
        return Stats(people: names.count, templates: index.templateCount, dimension: index.dimension, model: configuration.model,
              encrypted: store.isEncrypted, threshold: configuration.threshold, storeBytes: try await store.sizeInBytes(),
              indexBytes: index.vectors.memoryBytes)
    }

    public func auditLog(limit: Int = 100) async throws -> [AuditEntry] { try await store.auditLog(limit: limit) }

    // MARK: - Helpers

    private func audit(_ operation: AuditEntry.Operation, _ ids: [Int64]) async throws {
        guard configuration.recordsAudit else { return }
        try await recordAudit(AuditEntry(actor: configuration.actor, operation: operation, personIDs: ids))
    }

    /// Records an operation done outside the actor's own methods (an export, a verify).
    public func recordAudit(_ operation: AuditEntry.Operation, personIDs: [Int64]) async throws {
        try await audit(operation, personIDs)
    }

    /// Records an entry as it is: the service's verifications, listings and refused requests.
    public func recordAudit(_ entry: AuditEntry) async throws {
        try await store.appendAudit(entry)
        try await pruneAuditIfDue()
    }

    /// Deletes the entries older than ``Configuration/auditRetention``, at most once an hour.
    private func pruneAuditIfDue() async throws {
        guard let retention = configuration.auditRetention else { return }
        let now = ContinuousClock.now
        if let last = lastAuditPrune, now - last < .seconds(3600) { return }
        lastAuditPrune = now
        let seconds = Double(retention.components.seconds) + Double(retention.components.attoseconds) / 1e18
        _ = try await store.pruneAudit(before: Date(timeIntervalSinceNow: -seconds))
    }

    private static func check(_ template: Template, _ configuration: Configuration) throws {
        guard template.embedding.count == configuration.dimension else {
            throw GalleryError.incompatibleEmbedding(reason: "\(template.embedding.count) values where the gallery holds \(configuration.dimension)")
        }
        guard template.model == configuration.model else {
            throw GalleryError.incompatibleEmbedding(reason: "made by \(template.model), the gallery holds \(configuration.model) templates")
        }
    }
}
