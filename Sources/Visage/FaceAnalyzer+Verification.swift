public import Foundation
public import VisageCore
import VisageModels

extension Verification {
    /// How verification compares a pair in which a face wears a mask.
    public enum MaskMatching: String, Sendable, Hashable, CaseIterable {
        /// Through the masked-face attention head when the mask classifier calls either face
        /// masked, against the threshold of the pair's ``Condition`` (the default).
        case attention
        /// Always SFace's embeddings against ``Thresholds/unmasked``; the mask classifier does
        /// not run, so the mask flags stay nil.
        case plain
    }

    /// What ``FaceAnalyzer/verify(_:_:options:)`` computes and how it decides.
    public struct Options: Sendable, Hashable {
        /// Default ``MaskMatching/attention``.
        public var maskMatching: MaskMatching
        /// One threshold for every pair; nil (the default) takes the pair's from ``thresholds``.
        public var threshold: Float?
        /// The thresholds per mask condition; default ``Thresholds/init()``.
        public var thresholds: Thresholds
        /// Also explain the similarity (``FaceAnalyzer/explainComparison(_:_:)``): about 100
        /// extra embeddings, none when the attention head compared the faces. Default false.
        public var explain: Bool

        public init(maskMatching: MaskMatching = .attention, threshold: Float? = nil, thresholds: Thresholds = .init(),
                    explain: Bool = false) {
            self.maskMatching = maskMatching
            self.threshold = threshold
            self.thresholds = thresholds
            self.explain = explain
        }

        /// What each image's analysis computes for these options.
        public var tasks: FaceAnalyzer.Tasks {
            var tasks: FaceAnalyzer.Tasks = maskMatching == .plain ? [.embedding] : [.embedding, .mask, .maskedFaceEmbedding]
            if explain { tasks.insert(.alignedCrop) }
            return tasks
        }
    }
}

/// The two faces ``FaceAnalyzer/verify(_:_:options:)`` compared, its decision, and the
/// explanation when one was asked for.
public struct VerifiedPair: Sendable {
    /// The decision: similarity, threshold, method and each face's mask call.
    public var verification: Verification
    /// The largest face of the first image.
    public var first: Face
    /// The largest face of the second image.
    public var second: Face
    /// Why, when ``Verification/Options/explain`` was set.
    public var explanation: SimilarityExplanation?
}

/// Why a pair could not be verified.
public enum VerificationError: Error, LocalizedError, Sendable, Hashable {
    /// The detector found no face in one of the images.
    case noFace(Side)

    /// Which of the two images.
    public enum Side: String, Sendable, Hashable {
        case first, second
    }

    public var errorDescription: String? {
        switch self {
        case .noFace(let side): "no face found in the \(side.rawValue) image"
        }
    }
}

extension FaceAnalyzer {
    /// Decides whether the largest faces of two images are the same person: the one
    /// verification path of the library, `visage verify` and `POST /v1/verify`. With
    /// ``Verification/MaskMatching/attention`` (the default) a pair in which the mask classifier
    /// calls either face masked is compared through the attention head
    /// (``Face/maskAwareSimilarity(to:)``) against the threshold of its mask condition; the
    /// result says the method, the threshold and both mask calls. Throws
    /// ``VerificationError/noFace(_:)`` when an image has no face. The analyses compute
    /// ``Verification/Options/tasks`` whatever the configuration's tasks are; their models are
    /// opened on first need.
    public func verify(_ first: Image, _ second: Image, options: Verification.Options = .init()) async throws -> VerifiedPair {
        let tasks = options.tasks
        guard let a = try await analyze(first, tasks: tasks).largest else { throw VerificationError.noFace(.first) }
        guard let b = try await analyze(second, tasks: tasks).largest else { throw VerificationError.noFace(.second) }
        // Nil only when a face lacks the embeddings to compare; it then counts as no match.
        let verification = Verification(comparing: a, with: b, thresholds: options.thresholds, threshold: options.threshold)
            ?? Verification(similarity: -1, threshold: options.threshold ?? options.thresholds.unmasked)
        let explanation = options.explain ? try await offload { try self.explainComparison(a, b) } : nil
        return VerifiedPair(verification: verification, first: a, second: b, explanation: explanation)
    }
}
