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

extension Person {
    /// The rule a person's name breaks: `visage enroll` and `POST /v1/people` both refuse such
    /// names, so a gallery holds the same kind of names whoever wrote it.
    public enum NameProblem: Sendable, Hashable {
        /// Nothing but white space.
        case empty
        /// Over 200 code points (as openapi.yaml's maxLength counts: one grapheme cluster may
        /// hold any number), or a control character.
        case tooLongOrControl
        /// A bidirectional control, which reorders the text around it: U+202E makes a listing
        /// show a name other than the one stored. Letters of right-to-left scripts need none.
        case bidirectionalControl

        /// The rule, as a sentence.
        public var sentence: String {
            switch self {
            case .empty: "A name may not be empty."
            case .tooLongOrControl: "A name is at most 200 characters, without control characters."
            case .bidirectionalControl:
                "A name may not contain bidirectional control characters (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069)."
            }
        }
    }

    /// A name as it is stored: without white space at either end.
    public static func storedName(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What is wrong with `raw` as a person's name once stored (``storedName(_:)``), or nil.
    public static func nameProblem(_ raw: String) -> NameProblem? {
        let scalars = storedName(raw).unicodeScalars
        if scalars.isEmpty { return .empty }
        if scalars.count > 200 || scalars.contains(where: { $0.properties.generalCategory == .control }) { return .tooLongOrControl }
        if scalars.contains(where: { bidirectionalControls.contains($0.value) }) { return .bidirectionalControl }
        return nil
    }

    private static let bidirectionalControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
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
        /// A gallery-wide rule changed (``Gallery/setConsentRequired(_:)``, ``Gallery/setReviewedThresholds(_:)``).
        case policy
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
    /// What a `policy` entry changed, in words ("reviewed thresholds: threshold 0.4952 (calibrated)
    /// → 0.5200; note: …"): the rule itself keeps only its current value, so its history is here.
    /// Nil for other operations.
    public var detail: String?

    public init(time: Date = Date(), actor: String, role: String? = nil, operation: Operation, personIDs: [Int64],
                outcome: String = AuditEntry.success, requestID: String? = nil, detail: String? = nil) {
        self.time = time
        self.actor = actor
        self.role = role
        self.operation = operation
        self.personIDs = personIDs
        self.outcome = outcome
        self.requestID = requestID
        self.detail = detail
    }
}
