import VisageModels

/// The answer to "are these two faces the same person?".
public struct Verification: Sendable, Hashable, Codable {
    /// Cosine similarity of the two embeddings, in [-1, 1].
    public var similarity: Float
    /// The threshold the similarity was compared with.
    public var threshold: Float
    /// `similarity >= threshold`.
    public var same: Bool
    /// Which embeddings the similarity compares.
    public var method: Method
    /// Whether the mask classifier called the first face masked; nil when it did not run.
    public var firstMasked: Bool?
    /// Whether the mask classifier called the second face masked; nil when it did not run.
    public var secondMasked: Bool?

    /// How many of the two faces wear a mask, which picks the threshold.
    public enum Condition: String, Sendable, Hashable, Codable {
        case unmasked
        case oneMasked = "one_masked"
        case bothMasked = "both_masked"

        /// From the two mask calls; a face without one counts as bare.
        init(firstMasked: Bool?, secondMasked: Bool?) {
            switch ((firstMasked ?? false) ? 1 : 0) + ((secondMasked ?? false) ? 1 : 0) {
            case 0: self = .unmasked
            case 1: self = .oneMasked
            default: self = .bothMasked
            }
        }
    }

    /// The condition of the pair, from the mask calls (a face without one counts as bare).
    public var condition: Condition { Condition(firstMasked: firstMasked, secondMasked: secondMasked) }

    /// What a similarity was computed from.
    public enum Method: String, Sendable, Hashable, Codable {
        /// SFace's identity embeddings: the default.
        case sface
        /// The masked-face attention head's embeddings, used when either face wears a mask
        /// (``Face/maskAwareSimilarity(to:)``).
        case attentionHead = "attention_head"
    }

    public init(similarity: Float, threshold: Float, method: Method = .sface, firstMasked: Bool? = nil, secondMasked: Bool? = nil) {
        self.similarity = similarity
        self.threshold = threshold
        self.method = method
        self.firstMasked = firstMasked
        self.secondMasked = secondMasked
        same = similarity >= threshold
    }

    /// Compares two analysed faces the way `visage verify` and `POST /v1/verify` do: through
    /// ``Face/maskAwareSimilarity(to:)``, against the threshold of the pair's ``Condition`` from
    /// `thresholds`, or against `threshold` when the caller fixes one. Nil when the faces lack
    /// the embeddings to compare.
    public init?(comparing first: Face, with second: Face, thresholds: Thresholds = .init(), threshold: Float? = nil) {
        guard let (similarity, method) = first.maskAwareSimilarity(to: second) else { return nil }
        let firstMasked = first.mask?.isMasked, secondMasked = second.mask?.isMasked
        // The per-condition thresholds are the attention head's; SFace's cosine keeps its own.
        let chosen = threshold ?? (method == .sface ? thresholds.unmasked
            : thresholds.threshold(for: Condition(firstMasked: firstMasked, secondMasked: secondMasked)))
        self.init(similarity: similarity, threshold: chosen, method: method, firstMasked: firstMasked, secondMasked: secondMasked)
    }

    /// Decision thresholds per ``Condition``; each default says where it comes from
    /// (docs/models/masked-threshold.md has the measurements).
    public struct Thresholds: Sendable, Hashable, Codable {
        /// Neither face masked (SFace's cosine); default ``Verification/defaultThreshold``.
        public var unmasked: Float = Verification.defaultThreshold
        /// One face masked (the attention head's cosine); default ``Verification/oneMaskedThreshold``.
        public var oneMasked: Float = Verification.oneMaskedThreshold
        /// Both faces masked (the attention head's cosine); default ``Verification/bothMaskedThreshold``.
        public var bothMasked: Float = Verification.bothMaskedThreshold

        public init() {}

        public func threshold(for condition: Condition) -> Float {
            switch condition {
            case .unmasked: unmasked
            case .oneMasked: oneMasked
            case .bothMasked: bothMasked
            }
        }
    }

    /// Default cosine threshold for SFace embeddings: 0.303, the threshold at a false-accept
    /// rate of 1e-3 over all 7,000 CFP impostor pairs (FF and FP protocols, YuNet + SFace with
    /// RGB input; shared/MODELS.md). Raise it for open-set identification against a gallery.
    /// Pairs with a masked face have thresholds of their own (``oneMaskedThreshold``,
    /// ``bothMaskedThreshold``).
    public static let defaultThreshold: Float = 0.303

    /// The attention head's cosine threshold when one face is masked: 0.401, the cosine at a
    /// false-accept rate of 1e-3 over the 11,160 pairs of a masked photo and an unmasked photo
    /// of two different people in `../shared/data/masked-people` (real masks, 8 people; `visage
    /// eval verification --folders`). On those pairs the synthetic-mask calibration (0.303, CFP
    /// identities 401–500 with rendered masks) accepted 1.35%, thirteen times the target.
    /// docs/models/masked-threshold.md has the figures.
    public static let oneMaskedThreshold: Float = 0.401

    /// The attention head's cosine threshold when both faces are masked: 0.578, the cosine at a
    /// false-accept rate of 1e-3 over the 7,238 pairs of two masked photos of different people in
    /// `../shared/data/masked-people` (the synthetic calibration, 0.356, accepted 3.12% of them).
    public static let bothMaskedThreshold: Float = 0.578
}
