/// Two images to compare, the truth about them, and the fold they belong to.
public struct LabeledPair: Sendable, Hashable {
    /// Path of the first image, as the analyzer opens it.
    public var first: String
    public var second: String
    /// Ground truth: same person.
    public var same: Bool
    /// 0-based fold for k-fold accuracy.
    public var fold: Int

    public init(first: String, second: String, same: Bool, fold: Int) {
        self.first = first
        self.second = second
        self.same = same
        self.fold = fold
    }
}

/// A verification benchmark: named pairs split into folds.
///
/// ```swift
/// let cfp = try VerificationPairs.cfp(root: "../shared/data/cfp", protocol: .frontalProfile)
/// let deepface = try VerificationPairs.csv(file: "pairs.csv", images: "images")
/// ```
public struct VerificationPairs: Sendable {
    /// Short name used in reports, such as "CFP-FF".
    public var name: String
    /// Where the pairs came from, for the report.
    public var source: String
    /// How the folds were made, for the report.
    public var foldsDescription: String
    public var pairs: [LabeledPair]

    public init(name: String, source: String, foldsDescription: String, pairs: [LabeledPair]) {
        self.name = name
        self.source = source
        self.foldsDescription = foldsDescription
        self.pairs = pairs
    }

    /// Every image path used, each once, in first-use order.
    public var uniqueImages: [String] {
        var seen = Set<String>()
        var ordered: [String] = []
        for pair in pairs {
            for path in [pair.first, pair.second] where seen.insert(path).inserted { ordered.append(path) }
        }
        return ordered
    }
}
