public import Visage

/// The answer to "who is this?": the best-matching person, or unknown, and the runners-up.
public struct Identification: Sendable, Hashable {
    public struct Candidate: Sendable, Hashable {
        public var personID: Int64
        public var name: String
        /// Cosine similarity of the face to the person's best template (in the space of ``Identification/method``).
        public var similarity: Float
    }

    /// The best candidate when its similarity reaches ``threshold``; nil means unknown.
    public var match: Candidate?
    /// Up to top-k people, best first, whatever their similarity.
    public var candidates: [Candidate]
    /// The threshold the best similarity was compared with: the gallery threshold for SFace,
    /// the masked threshold for the attention head.
    public var threshold: Float
    /// Which embeddings were compared: SFace's, or the masked-face attention head's when the
    /// mask classifier called the probe masked (``Gallery/search(_:topK:)``).
    public var method: Verification.Method
    /// Whether the mask classifier called the probe masked; nil when it did not run.
    public var probeMasked: Bool?
    /// Something the caller should act on, e.g. a masked probe searched with SFace because the
    /// gallery's templates have no attention-head embedding yet; nil when all went as designed.
    public var warning: String?

    public init(candidates: [Candidate], threshold: Float, method: Verification.Method = .sface, probeMasked: Bool? = nil, warning: String? = nil) {
        self.candidates = candidates
        self.threshold = threshold
        self.method = method
        self.probeMasked = probeMasked
        self.warning = warning
        match = candidates.first.flatMap { $0.similarity >= threshold ? $0 : nil }
    }

    /// Highest similarity to anyone in the gallery, nil for an empty gallery.
    public var bestSimilarity: Float? { candidates.first?.similarity }
    public var isUnknown: Bool { match == nil }
}
