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
    /// spread. Default 0.25: on CFP with its true labels, 99.9% of images scored against another
    /// identity's centre score below it, and 0.5% of genuine ones do (`docs/dataset-cleaning.md`).
    public var absoluteFloor: Float = 0.25
    /// At or above this similarity an image is never an outlier, however tight its identity.
    /// Default 0.40: a tight identity's MAD rule would otherwise flag its own profile photos
    /// (on CFP no image scored against another identity's centre reaches 0.40).
    public var absoluteCeiling: Float = 0.40
    /// A face is *turned* (towards profile) when `|yaw|` (``EmbeddingRecord/yaw``) is at least
    /// this; turned faces get their own floor and ceiling, because a genuine profile scores
    /// against its identity's centre about as low as a frontal photo of a stranger. Default 0.10.
    public var turnedYaw: Float = 0.10
    /// ``absoluteFloor`` for turned faces. Default: see `docs/dataset-cleaning.md`.
    public var turnedFloor: Float = 0.10
    /// ``absoluteCeiling`` for turned faces. Default: see `docs/dataset-cleaning.md`.
    public var turnedCeiling: Float = 0.25
    /// Rounds of flag-and-re-estimate; the loop stops earlier when a round flags nothing. Default 10.
    public var maxIterations = 10
    /// Identities with fewer images with a face than this are not searched for outliers (their
    /// centre is too uncertain), though they still take part in duplicate search. Default 4.
    public var minimumImages = 4
    /// At most this fraction of an identity's remaining images is flagged in one round, worst
    /// first, so that a folder mixing two people is not emptied by its own centre. Default 0.34.
    public var maxRemovalFraction: Float = 0.34
    /// Two identities whose centres are at least this similar are reported as a likely
    /// duplicate. Default 0.60: above every one of the 124,750 pairs of different CFP
    /// identities' centres (maximum 0.53) and below 99.4% of CFP identities split in two halves
    /// (`docs/dataset-cleaning.md`). Re-calibrate it for far more identities: the largest
    /// impostor similarity grows with the number of pairs.
    public var duplicateThreshold: Float = 0.60
    /// An image whose second-largest face has at least this fraction of the largest's area is
    /// reported as `several-faces` (its subject is ambiguous). Default 0.5.
    public var severalFacesRatio: Float = 0.5

    public init() {}
}
