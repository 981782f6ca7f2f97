/// The answer to "who is this?": the best-matching person, or unknown, and the runners-up.
public struct Identification: Sendable, Hashable {
    public struct Candidate: Sendable, Hashable {
        public var personID: Int64
        public var name: String
        /// Cosine similarity of the face to the person's best template.
        public var similarity: Float
    }

    /// The best candidate when its similarity reaches ``threshold``; nil means unknown.
    public var match: Candidate?
    /// Up to top-k people, best first, whatever their similarity.
    public var candidates: [Candidate]
    /// The threshold the best similarity was compared with.
    public var threshold: Float

    public init(candidates: [Candidate], threshold: Float) {
        self.candidates = candidates
        self.threshold = threshold
        match = candidates.first.flatMap { $0.similarity >= threshold ? $0 : nil }
    }

    /// Highest similarity to anyone in the gallery, nil for an empty gallery.
    public var bestSimilarity: Float? { candidates.first?.similarity }
    public var isUnknown: Bool { match == nil }
}
