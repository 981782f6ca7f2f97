public import Foundation
public import VisageCore

/// Someone the gallery knows: a name, free-form metadata and one or more face templates.
public struct Person: Sendable, Hashable, Codable, Identifiable {
    /// Assigned by the store, unique within one gallery; never reused after a delete.
    public var id: Int64
    public var name: String
    /// Application data (employee number, notes…), stored as a JSON object.
    public var metadata: [String: String]
    public var created: Date
    /// How many templates the person has.
    public var templateCount: Int

    public init(id: Int64, name: String, metadata: [String: String] = [:], created: Date, templateCount: Int = 0) {
        self.id = id
        self.name = name
        self.metadata = metadata
        self.created = created
        self.templateCount = templateCount
    }
}

/// One face template: an embedding and where it came from.
public struct Template: Sendable, Hashable {
    /// Assigned by the store; 0 before the template is stored.
    public var id: Int64
    /// The person it belongs to; 0 before it is stored.
    public var personID: Int64
    /// L2-normalised embedding.
    public var embedding: [Float]
    /// Model name and version that produced it, e.g. `sface_2021dec`.
    public var model: String
    /// Hex SHA-256 of the source image file's bytes, when there was a file (never the image itself).
    public var sourceSHA256: String?
    /// Where the face was in the source image.
    public var box: Rect?
    /// Quality score: the detector's confidence in [0, 1].
    public var quality: Float?
    public var created: Date
    /// The masked-face attention head's L2-normalised embedding of the same face (a space of its
    /// own, ``Gallery/maskedFaceModel``): what a masked probe is compared with. Nil for a
    /// template made before galleries stored it (`visage gallery reembed` adds it) or without the head.
    public var maskedFaceEmbedding: [Float]?
    /// The head that made ``maskedFaceEmbedding`` (``Gallery/maskedFaceModel``); a template
    /// from another head is left out of masked searches until re-embedded.
    public var maskedFaceModel: String?
    /// Whether the mask classifier called the enrolment photo's face masked; nil when it did not run.
    public var masked: Bool?

    public init(id: Int64 = 0, personID: Int64 = 0, embedding: [Float], model: String, sourceSHA256: String? = nil,
                box: Rect? = nil, quality: Float? = nil, created: Date = Date(), maskedFaceEmbedding: [Float]? = nil, maskedFaceModel: String? = nil, masked: Bool? = nil) {
        self.id = id
        self.personID = personID
        self.embedding = embedding
        self.model = model
        self.sourceSHA256 = sourceSHA256
        self.box = box
        self.quality = quality
        self.created = created
        self.maskedFaceEmbedding = maskedFaceEmbedding
        self.maskedFaceModel = maskedFaceEmbedding == nil ? nil : maskedFaceModel
        self.masked = masked
    }
}

/// One line of the audit trail: who did what to which people, when, and how it ended. Never an
/// image, an embedding or an API key.
public struct AuditEntry: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case enroll
        case addFaces = "add_faces"
        case identify, verify
        case listPeople = "list_people"
        case viewPerson = "view_person"
        case delete, export, `import`
    }

    /// The outcome of an operation that succeeded.
    public static let success = "ok"

    public var time: Date
    /// Who asked: the OS user by default (``Gallery/Configuration/actor``), the API key's name
    /// for the service.
    public var actor: String
    /// The API key's role (`read`, `admin`); nil outside the service.
    public var role: String?
    public var operation: Operation
    /// The people concerned: enrolled, deleted, listed, or returned as a match.
    public var personIDs: [Int64]
    /// ``success``, or the error code the request was refused with (e.g. `no_face`, `forbidden`).
    public var outcome: String
    /// The service's request id (also sent as the response's `X-Request-Id`); nil outside the service.
    public var requestID: String?

    public init(time: Date = Date(), actor: String, role: String? = nil, operation: Operation, personIDs: [Int64],
                outcome: String = AuditEntry.success, requestID: String? = nil) {
        self.time = time
        self.actor = actor
        self.role = role
        self.operation = operation
        self.personIDs = personIDs
        self.outcome = outcome
        self.requestID = requestID
    }
}
