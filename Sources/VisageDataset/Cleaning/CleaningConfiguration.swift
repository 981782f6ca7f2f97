/// Settings of ``DatasetCleaner``; each property states its default and where it comes from.
///
/// ```swift
/// var configuration = CleaningConfiguration()
/// configuration.duplicateThreshold = 0.60
/// let result = DatasetCleaner(configuration: configuration).clean(samples)
/// ```
public struct CleaningConfiguration: Sendable, Equatable {
    /// An image is an outlier when its similarity to its identity's centre (the other inliers'
    /// mean) is below `median − k × 1.4826 × MAD` of its identity's similarities. Default 3
    /// (three standard deviations for normal data).
    public var madMultiplier: Float = 3
    /// Below this similarity to its centre an image is an outlier whatever its identity's
    /// spread. Default 0.15: on CFP with its true labels, 0.24% of genuine frontal images score
    /// below it against their own identity's centre (`docs/dataset-cleaning.md`).
    public var absoluteFloor: Float = 0.15
    /// At or above this similarity an image is never an outlier, however tight its identity.
    /// Default 0.22: on CFP's true labels, the value that minimises expected errors with 5% of
    /// images mislabelled (0.43% of genuine frontal images below it, 3.6% of images scored
    /// against another identity's centre at or above it).
    public var absoluteCeiling: Float = 0.22
    /// A face is *turned* (towards profile) when `|yaw|` (``EmbeddingRecord/yaw``) is at least
    /// this; turned faces get their own floor and ceiling, because a genuine profile scores
    /// against its identity's centre far lower than a frontal photo does (CFP: 1% of turned
    /// genuine images below 0.13, against 1% of frontal ones below 0.37). Default 0.10.
    public var turnedYaw: Float = 0.10
    /// ``absoluteFloor`` for turned faces. Default 0.10 (0.5% of CFP's turned genuine images below).
    public var turnedFloor: Float = 0.10
    /// ``absoluteCeiling`` for turned faces. Default 0.15: the same expected-error rule on CFP's
    /// turned faces (1.1% of genuine below, 11% of impostor at or above).
    public var turnedCeiling: Float = 0.15
    /// Rounds of flag-and-re-estimate; the loop stops earlier when a round flags nothing. Default 10.
    public var maxIterations = 10
    /// Identities with fewer images with a face than this are not searched for outliers (their
    /// centre is too uncertain), though they still take part in duplicate search. Default 4.
    public var minimumImages = 4
    /// At most this fraction of an identity's remaining images is flagged in one round, worst
    /// first, so that a folder mixing two people is not emptied by its own centre. Default 0.34.
    public var maxRemovalFraction: Float = 0.34
    /// Two identities whose centres are at least this similar are reported as a likely
    /// duplicate. Default 0.68: midway between the largest of the 124,750 similarities of
    /// different CFP identities' centres (0.590) and the smallest of CFP's 500 identities split
    /// in two halves (0.773) (`docs/dataset-cleaning.md`). Re-calibrate it for far more
    /// identities: the largest impostor similarity grows with the number of pairs.
    public var duplicateThreshold: Float = 0.68
    /// An image whose second-largest face has at least this fraction of the largest's area is
    /// reported as `several-faces` (its subject is ambiguous). Default 0.5.
    public var severalFacesRatio: Float = 0.5

    public init() {}
}
