/// The answer to "are these two faces the same person?".
public struct Verification: Sendable, Hashable, Codable {
    /// Cosine similarity of the two embeddings, in [-1, 1].
    public var similarity: Float
    /// The threshold the similarity was compared with.
    public var threshold: Float
    /// `similarity >= threshold`.
    public var same: Bool

    public init(similarity: Float, threshold: Float) {
        self.similarity = similarity
        self.threshold = threshold
        same = similarity >= threshold
    }

    /// Default cosine threshold for SFace embeddings: 0.303, the threshold at a false-accept
    /// rate of 1e-3 over all 7,000 CFP impostor pairs (FF and FP protocols, YuNet + SFace with
    /// RGB input; shared/MODELS.md). Raise it for open-set identification against a gallery.
    public static let defaultThreshold: Float = 0.303
}
