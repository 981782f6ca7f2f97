public import Foundation
public import Visage
import VisageCore
import VisageModels

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
        /// Cosine similarity at or above which the best candidate is a match. Default nil: the
        /// gallery's reviewed threshold when one is stored (``setReviewedThresholds(_:)``),
        /// else ``Gallery/defaultThreshold``.
        public var threshold: Float?
        /// The same for a probe the mask classifier calls masked, searched through the
        /// attention head. Default nil: the reviewed masked threshold when one is stored, else
        /// ``Gallery/defaultMaskedThreshold``.
        public var maskedThreshold: Float?
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

    /// The masked-face attention head's name and version, stamped on every template's
    /// ``Template/maskedFaceEmbedding``. Raise it when `mfsa-attention-head.onnx` is retrained:
    /// templates of another head are then left out of masked searches until `visage gallery
    /// reembed` measures them again.
    public static let maskedFaceModel = "mfsa_attention_head_v1"

    /// The analyzer tasks enrolment and identification need: SFace, the mask classifier and
    /// the attention head (``Gallery/search(_:topK:)`` picks between them).
    public static let analyzerTasks: FaceAnalyzer.Tasks = [.embedding, .mask, .maskedFaceEmbedding]

    /// What `visage enroll` and the service's enrolment run: ``analyzerTasks`` and the age
    /// estimate, which only tells whether to warn (``childEnrollmentWarning(ages:)``); it is not stored.
    public static let enrollmentTasks: FaceAnalyzer.Tasks = analyzerTasks.union([.age])

    /// The estimated age under which an enrolment photo is taken for a child's.
    public static let childAge: Float = 13

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

    /// Default identification threshold for a probe the mask classifier calls masked (the
    /// attention head's cosine, ``search(_:topK:)-(Probe,Int)``): 0.4559, the open-set threshold
    /// at a false-positive identification rate of 1e-3 measured by `visage eval gallery-masks`
    /// (docs/gallery.md): CFP identities 251–500 enrolled from unmasked frontal photos 01–05,
    /// every frontal photo of 001–250 with a synthetic mask searched as a stranger; of the
    /// 2,364 strangers searched through the head, 2 reach it (highest 0.4754). Synthetic masks,
    /// and in-sample for the head (trained on CFP 001–400); on real masks (masked-people) a
    /// stranger reached 0.5346, so real-mask strangers are accepted more often than 1e-3.
    public static let defaultMaskedThreshold: Float = 0.4559

    public nonisolated let store: any GalleryStore
    public nonisolated let configuration: Configuration
    public nonisolated let analyzer: FaceAnalyzer?
    private var index: GalleryIndex
    /// The attention head's embeddings of the templates that have one (of ``maskedFaceModel``):
    /// what a masked probe is searched in.
    private var maskedIndex: GalleryIndex
    private var names: [Int64: String] = [:]
    /// When ``pruneAuditIfDue()`` last deleted old entries.
    private var lastAuditPrune: ContinuousClock.Instant?
    /// The store's generation the index reflects (it may hold some later writes of its own too).
    private var generation: Int64
    /// The thresholds searches decide with and where each came from: read again whenever the
    /// store's generation moves, so a reviewed threshold set by another process takes effect
    /// at this gallery's next identification.
    public private(set) var thresholds: Thresholds

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
        var maskedIndex = GalleryIndex(dimension: Self.maskedFaceDimension)
        for template in try await store.allTemplates() {
            try Self.check(template, configuration)
            index.add(template)
            if let masked = Self.maskedTemplate(template) { maskedIndex.add(masked) }
        }
        self.index = index
        self.maskedIndex = maskedIndex
        thresholds = try await Self.thresholds(in: store, configuration: configuration)
        for person in try await store.people() { names[person.id] = person.name }
        try await pruneAuditIfDue()
    }

    /// Opens (creating it if needed) the gallery at `location`: a SQLite file path, or a
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` URL (``PostgresLocation``).
    ///
    /// - Parameter cipher: the key for encrypted templates; a new gallery is encrypted when given one.
    public static func open(_ location: String, cipher: TemplateCipher? = nil, analyzer: FaceAnalyzer? = nil,
                            configuration: Configuration = .init()) async throws -> Gallery {
        try await Gallery(store: try await openStore(location, cipher: cipher), analyzer: analyzer, configuration: configuration)
    }

    /// The store at `location` (as ``open(_:cipher:analyzer:configuration:)`` takes it), without loading the index.
    public static func openStore(_ location: String, cipher: TemplateCipher? = nil) async throws -> any GalleryStore {
        PostgresLocation.isPostgres(location)
            ? try await PostgresGalleryStore(url: location, cipher: cipher)
            : try SQLiteGalleryStore(path: location, cipher: cipher)
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
                maskedIndex.removePerson(id)
                names[id] = nil
            }
            // A template given its attention-head embedding later (reembed) comes back with a
            // new generation: the SFace index skips it as known, the masked index takes it.
            for template in changes.templates {
                try Self.check(template, configuration)
                addToIndexes(template)
            }
            for person in changes.people { names[person.id] = person.name }
            generation = changes.generation
            // Settings raise the generation too; reading them again is two small reads per change.
            thresholds = try await Self.thresholds(in: store, configuration: configuration)
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
    /// In a gallery that requires consent (``consentRequired()``), `metadata` must hold a
    /// non-blank ``consentMetadataKey``, else it throws ``GalleryError/consentMissing(name:)``.
    @discardableResult
    public func enroll(name: String, metadata: [String: String] = [:], created: Date = Date(), templates: [Template]) async throws -> (Person, [Template]) {
        guard !templates.isEmpty else { throw GalleryError.nothingToEnroll }
        for template in templates { try Self.check(template, configuration) }
        if !Self.hasConsentRecord(metadata), try await consentRequired() { throw GalleryError.consentMissing(name: name) }
        let (person, stored) = try await store.insert(name: name, metadata: metadata, created: created, templates: templates)
        for template in stored { addToIndexes(template) }
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
        for template in stored { addToIndexes(template) }
        try await audit(.addFaces, [personID])
        person.templateCount += stored.count
        return (person, stored)
    }

    /// The template for an analysed face (which must carry an embedding), stamped with the
    /// gallery's model; with the attention head's embedding and the mask call when the analyzer
    /// computed them (``analyzerTasks``).
    public nonisolated func template(for face: Face, imageData: Data?) throws -> Template {
        guard let embedding = face.embedding else { throw GalleryError.incompatibleEmbedding(reason: "the face has no embedding") }
        return Template(embedding: embedding, model: configuration.model, sourceSHA256: imageData.map(sha256Hex(of:)),
                        box: face.box, quality: face.score, maskedFaceEmbedding: face.maskedFaceEmbedding,
                        maskedFaceModel: Self.maskedFaceModel, masked: face.mask?.isMasked)
    }

    /// What to tell whoever enrols from `templates` of which some were made from a masked face:
    /// nil when none was. An unmasked probe is compared with such a template through SFace,
    /// which matches a masked enrolment photo poorly.
    public nonisolated static func maskedEnrollmentWarning(_ templates: [Template]) -> String? {
        let masked = templates.filter { $0.masked == true }.count
        guard masked > 0 else { return nil }
        return "\(masked) of \(templates.count) enrolment photo\(templates.count == 1 ? "" : "s") show\(masked == 1 && templates.count == 1 ? "s" : "") a masked face: "
            + "unmasked photos of this person will match it poorly (a masked template holds little of the lower face); enrol an unmasked photo too"
    }

    /// What to tell whoever enrols from photos of which some show a face estimated under
    /// ``childAge``: nil when none does (or no age was estimated). Children's faces are confused
    /// with each other far more often than adults' (`visage eval demographics`: 47% of pairs of
    /// two UTKFace children aged 0–9 pass `verify`'s threshold, against 1% of all pairs), so a
    /// match of a child says little.
    public nonisolated static func childEnrollmentWarning(ages: [Float?]) -> String? {
        let young = ages.compactMap { $0 }.filter { $0 < childAge }
        guard let youngest = young.min() else { return nil }
        return "\(young.count) of \(ages.count) enrolment photo\(ages.count == 1 ? "" : "s") show\(young.count == 1 && ages.count == 1 ? "s" : "") "
            + "a face that looks under \(Int(childAge)) (estimated age \(Int(youngest.rounded()))): children's faces are confused with each other "
            + "far more often than adults' (`visage eval demographics`), so do not rely on identifying this person"
    }

    /// Every enrolment warning that applies (masked photos, a child's face), joined; nil when none.
    public nonisolated static func enrollmentWarning(_ templates: [Template], ages: [Float?]) -> String? {
        let warnings = [maskedEnrollmentWarning(templates), childEnrollmentWarning(ages: ages)].compactMap { $0 }
        return warnings.isEmpty ? nil : warnings.joined(separator: "; ")
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

    /// Identifies a face that carries an embedding (``FaceAnalyzer`` with the `.embedding` task),
    /// mask-aware as ``search(_:topK:)-(Probe,Int)`` is.
    public func identify(face: Face, topK: Int = 5) async throws -> Identification {
        try await identify(faces: [face], topK: topK)[0]
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
            guard let probe = Probe(face: face) else { throw GalleryError.incompatibleEmbedding(reason: "the face has no embedding") }
            return search(probe, topK: topK)
        }
        if configuration.auditsIdentifications { try await audit(.identify, results.compactMap { $0.match?.personID }) }
        return results
    }

    /// The search itself, without audit and without ``refresh()`` (the index as it last was):
    /// for evaluations that run thousands of queries. SFace only; a face that may wear a mask
    /// goes through ``search(_:topK:)-(Probe,Int)``.
    public func search(_ embedding: [Float], topK: Int = 5) -> Identification {
        Identification(candidates: candidates(index.search(embedding, k: max(1, topK), mode: configuration.searchMode)),
                       threshold: thresholds.threshold)
    }

    /// What a search compares: a face's SFace embedding, and, for a face the mask classifier
    /// may call masked, the attention head's embedding and the call.
    public struct Probe: Sendable, Hashable {
        public var embedding: [Float]
        public var maskedFaceEmbedding: [Float]?
        /// The mask classifier's call; nil when it did not run.
        public var masked: Bool?

        public init(embedding: [Float], maskedFaceEmbedding: [Float]? = nil, masked: Bool? = nil) {
            self.embedding = embedding
            self.maskedFaceEmbedding = maskedFaceEmbedding
            self.masked = masked
        }

        /// Nil when the face has no SFace embedding.
        public init?(face: Face) {
            guard let embedding = face.embedding else { return nil }
            self.init(embedding: embedding, maskedFaceEmbedding: face.maskedFaceEmbedding, masked: face.mask?.isMasked)
        }
    }

    /// The mask-aware search, as `visage verify` decides a pair: a probe the mask classifier
    /// calls masked is compared through the attention head with every template that has its
    /// embedding, against the masked threshold of ``thresholds``; any other probe through SFace
    /// against its threshold. When the gallery cannot do the masked search (no
    /// template has an attention-head embedding yet, or the probe lacks one) it falls back to
    /// SFace and says so in ``Identification/warning``. Without audit and ``refresh()``.
    public func search(_ probe: Probe, topK: Int = 5) -> Identification {
        let k = max(1, topK)
        guard probe.masked == true else {
            return Identification(candidates: candidates(index.search(probe.embedding, k: k, mode: configuration.searchMode)),
                                  threshold: thresholds.threshold, probeMasked: probe.masked)
        }
        let sface = { (warning: String) in
            Identification(candidates: self.candidates(self.index.search(probe.embedding, k: k, mode: self.configuration.searchMode)),
                           threshold: self.thresholds.threshold, probeMasked: true, warning: warning)
        }
        guard let head = probe.maskedFaceEmbedding, head.count == maskedIndex.dimension else {
            return sface("the face wears a mask but was not measured by the attention head (analyzer without the maskedFaceEmbedding task): searched with SFace")
        }
        guard maskedIndex.templateCount > 0 || index.templateCount == 0 else {
            return sface("the face wears a mask, but no template in the gallery has an attention-head embedding (enrolled before Visage stored them): "
                         + "searched with SFace at the unmasked threshold. Run `visage gallery reembed` with the enrolment photos (docs/gallery.md)")
        }
        let missing = index.templateCount - maskedIndex.templateCount
        let warning = missing == 0 ? nil
            : "\(missing) of \(index.templateCount) templates have no attention-head embedding (enrolled before Visage stored them), so their "
              + "people were not searched with this masked face; run `visage gallery reembed` with the enrolment photos (docs/gallery.md)"
        return Identification(candidates: candidates(maskedIndex.search(head, k: k, mode: configuration.searchMode)),
                              threshold: thresholds.maskedThreshold, method: .attentionHead, probeMasked: true, warning: warning)
    }

    private func candidates(_ hits: [GalleryIndex.Candidate]) -> [Identification.Candidate] {
        hits.map { Identification.Candidate(personID: $0.personID, name: names[$0.personID] ?? "", similarity: $0.similarity) }
    }

    // MARK: - Re-embed

    /// What ``reembed(images:)`` did.
    public struct Reembedding: Sendable {
        /// Templates that were missing an attention-head embedding of ``Gallery/maskedFaceModel`` before.
        public var missing: Int
        /// Templates given one.
        public var updated: Int
        /// Of the missing, those whose photo was among the images but whose face was not found
        /// again (no face at the stored box, or one whose SFace embedding differs from the template's).
        public var notFound: Int
        /// Images read, and those that are the photo of some template.
        public var imagesRead: Int
        public var imagesMatched: Int
        /// Images that could not be used, in the order given, each with its error: a file that
        /// cannot be read or is not an image (an ``ImageError``), or an enrolment photo whose
        /// analysis failed. Their templates, if any, are still missing.
        public var unreadable: [UnreadableImage] = []
    }

    /// An image ``reembed(images:)`` could not use, and why.
    public struct UnreadableImage: Sendable {
        public var path: String
        public var error: any Error
    }

    /// Gives the templates that lack an attention-head embedding one, from their enrolment
    /// photos: a template stores the SHA-256 of its photo and the face's box (never the image),
    /// so each image whose hash a template names is analysed again, the face at the stored box
    /// (IoU ≥ 0.5, SFace cosine with the stored template ≥ 0.9, so that nothing but that face is
    /// taken) gives the head's embedding and the mask call, and all of them are stored in one
    /// transaction. Templates whose photo is not among `images` keep none: re-enrol those people.
    /// An image that cannot be read is listed, with its error, in ``Reembedding/unreadable``.
    public func reembed(images: [String]) async throws -> Reembedding {
        guard let analyzer else { throw GalleryError.analyzerRequired }
        try await refresh()
        var wanted: [String: [Template]] = [:]
        var missing = 0
        for template in try await store.allTemplates() where Self.maskedTemplate(template) == nil {
            missing += 1
            if let sha = template.sourceSHA256 { wanted[sha, default: []].append(template) }
        }
        var updates: [MaskedFaceUpdate] = []
        var seen = Set<Int64>(), imagesMatched = 0, notFound = 0
        var unreadable: [UnreadableImage] = [], imagesRead = 0
        // Every image is read, even once no template is left to find, so each bad one is named.
        for path in images {
            let file: EncodedImage
            do { file = try EncodedImage(contentsOf: path) } catch {
                unreadable.append(UnreadableImage(path: path, error: error))
                continue
            }
            imagesRead += 1
            guard !wanted.isEmpty, let templates = wanted.removeValue(forKey: sha256Hex(of: Data(file.data))) else { continue }
            imagesMatched += 1
            let faces: [Face]
            do { faces = try await analyzer.analyze(contentsOf: path, tasks: Self.analyzerTasks).faces } catch {
                unreadable.append(UnreadableImage(path: path, error: error))
                continue
            }
            for template in templates where !seen.contains(template.id) {
                let face = faces.max { a, b in (template.box.map { a.box.iou($0) } ?? a.box.area) < (template.box.map { b.box.iou($0) } ?? b.box.area) }
                guard let face, let head = face.maskedFaceEmbedding, let sface = face.embedding,
                      template.box.map({ face.box.iou($0) >= 0.5 }) ?? true, cosineSimilarity(sface, template.embedding) >= 0.9 else {
                    notFound += 1
                    continue
                }
                seen.insert(template.id)
                updates.append(MaskedFaceUpdate(templateID: template.id, maskedFaceEmbedding: head, maskedFaceModel: Self.maskedFaceModel,
                                                masked: face.mask?.isMasked))
            }
        }
        let updated = try await store.setMaskedFaceEmbeddings(updates)
        try await refresh()
        return Reembedding(missing: missing, updated: updated, notFound: notFound, imagesRead: imagesRead,
                           imagesMatched: imagesMatched, unreadable: unreadable)
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
        maskedIndex.removePerson(personID)
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
        /// Where each threshold came from, and the reviewed ones stored, if any.
        public var thresholds: Thresholds
        public var threshold: Float { thresholds.threshold }
        public var maskedThreshold: Float { thresholds.maskedThreshold }
        /// Templates with an attention-head embedding of ``Gallery/maskedFaceModel``: the ones a masked probe is searched in.
        public var maskedTemplates: Int
        public var storeBytes: Int?
        public var indexBytes: Int
        /// Whether enrolment needs a consent record (``Gallery/consentRequired()``).
        public var consentRequired: Bool
        /// People enrolled without a consent record (before the rule was on, or while it was off).
        public var peopleWithoutConsent: Int
    }

    public func stats() async throws -> Stats {
        try await refresh()
        return Stats(people: names.count, templates: index.templateCount, dimension: index.dimension, model: configuration.model,
              encrypted: store.isEncrypted, thresholds: thresholds,
              maskedTemplates: maskedIndex.templateCount, storeBytes: try await store.sizeInBytes(),
              indexBytes: index.vectors.memoryBytes, consentRequired: try await consentRequired(),
              peopleWithoutConsent: try await store.people().count { !Self.hasConsentRecord($0.metadata) })
    }

    public func auditLog(limit: Int = 100) async throws -> [AuditEntry] { try await store.auditLog(limit: limit) }

    // MARK: - Consent

    /// The metadata key of a person's consent record: free text that says where the consent
    /// is kept or what it covers ("form 2026-114, signed 2026-12-01"). Visage stores and
    /// exports it with the person; it does not judge it.
    public static let consentMetadataKey = "consent"

    /// Whether `metadata` holds a consent record (a non-blank ``consentMetadataKey``).
    public static func hasConsentRecord(_ metadata: [String: String]) -> Bool {
        !(metadata[consentMetadataKey] ?? "").allSatisfy(\.isWhitespace)
    }

    /// Whether enrolment needs a consent record. Off unless set: galleries made before the
    /// rule existed keep enrolling as they did. Read from the store each time, so every
    /// process and service node sharing the gallery follows a change at once.
    public func consentRequired() async throws -> Bool {
        try await store.setting(.consentRequired) == "1"
    }

    /// Turns the consent rule on or off (recorded in the audit trail as `policy`). People
    /// already enrolled are not touched: ``Stats/peopleWithoutConsent`` counts those without a record.
    public func setConsentRequired(_ required: Bool) async throws {
        let before = try await consentRequired()
        try await store.setSetting(.consentRequired, to: required ? "1" : nil)
        func words(_ on: Bool) -> String { on ? "required" : "not required" }
        try await audit(.policy, [], detail: "consent record: " + (before == required ? "\(words(required)) (unchanged)" : "\(words(before)) → \(words(required))"))
    }

    // MARK: - Thresholds

    /// The thresholds a gallery decides with, and where each came from.
    public struct Thresholds: Sendable, Hashable {
        /// Where a threshold came from.
        public enum Source: String, Sendable {
            /// The opener's ``Configuration`` (`--threshold`, `--masked-threshold`).
            case configuration
            /// The gallery's stored ``ReviewedThresholds``.
            case reviewed
            /// The compiled-in default, calibrated on CFP (``Gallery/defaultThreshold``, ``Gallery/defaultMaskedThreshold``).
            case calibrated
        }

        public var threshold: Float
        public var thresholdSource: Source
        public var maskedThreshold: Float
        public var maskedThresholdSource: Source
        /// What the store holds, whether or not the configuration overrides it.
        public var reviewed: ReviewedThresholds?
    }

    /// The configuration's thresholds where it sets them, else the reviewed ones `store` holds,
    /// else the defaults: what a gallery on `store` decides with, read without loading its templates.
    public static func thresholds(in store: any GalleryStore, configuration: Configuration = .init()) async throws -> Thresholds {
        let reviewed = try await store.setting(.reviewedThresholds).map { text throws(GalleryError) in try ReviewedThresholds.parse(text) }
        func pick(_ configured: Float?, _ stored: Float?, _ calibrated: Float) -> (Float, Thresholds.Source) {
            if let configured { return (configured, .configuration) }
            if let stored { return (stored, .reviewed) }
            return (calibrated, .calibrated)
        }
        let (threshold, source) = pick(configuration.threshold, reviewed?.threshold, defaultThreshold)
        let (masked, maskedSource) = pick(configuration.maskedThreshold, reviewed?.maskedThreshold, defaultMaskedThreshold)
        return Thresholds(threshold: threshold, thresholdSource: source, maskedThreshold: masked, maskedThresholdSource: maskedSource, reviewed: reviewed)
    }

    /// Stores thresholds chosen after a review (nil goes back to the calibrated defaults), for
    /// every process sharing the gallery; recorded in the audit trail as `policy`. An opener
    /// that sets a threshold in its ``Configuration`` keeps deciding with that one.
    public func setReviewedThresholds(_ reviewed: ReviewedThresholds?) async throws {
        if let problem = reviewed?.problem { throw GalleryError.invalidThresholds(reason: problem) }
        try await refresh()
        let before = thresholds
        try await store.setSetting(.reviewedThresholds, to: reviewed?.stored)
        try await refresh()
        try await audit(.policy, [], detail: Self.change(from: before, to: thresholds))
    }

    /// A threshold change in words, for the audit trail: "reviewed thresholds: threshold 0.4952
    /// (calibrated) → 0.5200 (reviewed), masked probes 0.4559 (calibrated), unchanged; note: …".
    static func change(from before: Thresholds, to after: Thresholds) -> String {
        func value(_ threshold: Float, _ source: Thresholds.Source) -> String { String(format: "%.4f (%@)", threshold, source.rawValue) }
        func line(_ name: String, _ a: (Float, Thresholds.Source), _ b: (Float, Thresholds.Source)) -> String {
            a == b ? "\(name) \(value(a.0, a.1)), unchanged" : "\(name) \(value(a.0, a.1)) → \(value(b.0, b.1))"
        }
        return "reviewed thresholds " + (after.reviewed == nil ? "cleared" : "set") + ": "
            + line("threshold", (before.threshold, before.thresholdSource), (after.threshold, after.thresholdSource)) + "; "
            + line("masked probes", (before.maskedThreshold, before.maskedThresholdSource), (after.maskedThreshold, after.maskedThresholdSource))
            + (after.reviewed.map { "; note: \($0.note)" } ?? "")
    }

    /// Removes the stored reviewed thresholds straight from `store`, audited as `policy`: the
    /// way back when they cannot be read, since a gallery refuses to open with them then
    /// (deciding with some other threshold than the one reviewed would be worse).
    public static func clearReviewedThresholds(in store: any GalleryStore, actor: String = Configuration().actor) async throws {
        let stored = try await store.setting(.reviewedThresholds)
        try await store.setSetting(.reviewedThresholds, to: nil)
        try await store.appendAudit(AuditEntry(actor: actor, operation: .policy, personIDs: [],
                                               detail: "reviewed thresholds cleared" + (stored.map { " (the stored value was: \($0.prefix(300)))" } ?? " (none were stored)")))
    }

    // MARK: - Helpers

    private func audit(_ operation: AuditEntry.Operation, _ ids: [Int64], detail: String? = nil) async throws {
        guard configuration.recordsAudit else { return }
        try await recordAudit(AuditEntry(actor: configuration.actor, operation: operation, personIDs: ids, detail: detail))
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

    /// The attention head's embedding size.
    static let maskedFaceDimension = 128

    private func addToIndexes(_ template: Template) {
        index.add(template)
        if let masked = Self.maskedTemplate(template) { maskedIndex.add(masked) }
    }

    /// The template as the masked index holds it (its attention-head embedding in place of
    /// SFace's); nil when it has none of this head's.
    private static func maskedTemplate(_ template: Template) -> Template? {
        guard let embedding = template.maskedFaceEmbedding, embedding.count == maskedFaceDimension,
              template.maskedFaceModel == maskedFaceModel else { return nil }
        var copy = template
        copy.embedding = embedding
        return copy
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
