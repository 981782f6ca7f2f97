import Foundation

/// Finds what is wrong with an identity-folder dataset from its embeddings: images that are
/// not the person their folder claims (intra-class outliers), pairs of folders that are the
/// same person (inter-class duplicates), and images with no face, several faces or an error.
///
/// Intra-class cleaning is iterative. Each round, per identity: the centre of each remaining
/// image is the normalised mean of the *other* remaining images (leave-one-out, so an outlier
/// does not pull its own centre towards itself); the threshold is
/// `clamp(median − k·1.4826·MAD, floor, ceiling)` of those similarities; images below it are
/// flagged (worst first, at most ``CleaningConfiguration/maxRemovalFraction`` of the
/// identity) and leave the identity for the next round, whose centre and spread are
/// re-estimated without them. The loop ends when a round flags nothing. Duplicates are pairs of
/// identity centres (mean of the remaining images) at least
/// ``CleaningConfiguration/duplicateThreshold`` similar, computed after every round.
///
/// ```swift
/// let result = DatasetCleaner().clean(records.map(CleaningSample.init))
/// for suspect in result.suspects { print(suspect.path, suspect.reason, suspect.iteration) }
/// ```
public struct DatasetCleaner: Sendable {
    public var configuration: CleaningConfiguration

    public init(configuration: CleaningConfiguration = .init()) {
        self.configuration = configuration
    }

    public func clean(_ samples: [CleaningSample]) -> CleaningResult {
        var result = CleaningResult()
        var byIdentity: [String: [Int]] = [:]
        for (i, s) in samples.enumerated() {
            byIdentity[s.identity, default: []].append(i)
            switch s.status {
            case .error:
                result.suspects.append(Suspect(path: s.path, identity: s.identity, reason: .unreadable, score: nil, iteration: 0, detail: s.error))
            case .noFace:
                result.suspects.append(Suspect(path: s.path, identity: s.identity, reason: .noFace, score: nil, iteration: 0))
            case .face:
                if s.secondFaceRatio >= configuration.severalFacesRatio {
                    result.suspects.append(Suspect(path: s.path, identity: s.identity, reason: .severalFaces, score: s.secondFaceRatio, iteration: 0,
                                                   detail: "\(s.faceCount) faces"))
                }
            }
        }
        let identities = byIdentity.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        // Remaining (inlier) sample indices with an embedding, per identity.
        var inliers: [String: [Int]] = [:]
        for id in identities { inliers[id] = byIdentity[id]!.filter { samples[$0].embedding != nil } }

        var iteration = 0
        while iteration < configuration.maxIterations {
            iteration += 1
            var flaggedThisRound = 0
            for id in identities {
                let members = inliers[id]!
                guard members.count >= configuration.minimumImages else { continue }
                let (scores, adaptive) = outlierScores(members.map { samples[$0].embedding! })
                let thresholds = members.map { threshold(adaptive, turned: abs(samples[$0].yaw) >= configuration.turnedYaw) }
                var below = members.indices.filter { scores[$0] < thresholds[$0] }.sorted { scores[$0] < scores[$1] }
                let cap = Int(Float(members.count) * configuration.maxRemovalFraction)
                if below.count > cap { below = Array(below.prefix(cap)) }
                guard !below.isEmpty else { continue }
                for k in below {
                    let s = samples[members[k]]
                    result.suspects.append(Suspect(path: s.path, identity: id, reason: .outlier, score: scores[k], iteration: iteration,
                                                   detail: String(format: "threshold %.3f%@", thresholds[k], abs(s.yaw) >= configuration.turnedYaw ? " (turned head)" : "")))
                }
                let removed = Set(below.map { members[$0] })
                inliers[id] = members.filter { !removed.contains($0) }
                flaggedThisRound += below.count
            }
            let centres = identityCentres(identities, inliers, samples)
            let duplicates = findDuplicates(centres)
            result.iterations.append(CleaningResult.Round(iteration: iteration, newOutliers: flaggedThisRound, duplicates: duplicates))
            if flaggedThisRound == 0 { break }
        }
        result.duplicates = result.iterations.last?.duplicates ?? []
        result.identities = identities.map { id in
            CleaningResult.IdentitySummary(identity: id, images: byIdentity[id]!.count, withFace: byIdentity[id]!.filter { samples[$0].embedding != nil }.count,
                                           inliers: inliers[id]!.count)
        }
        result.centres = identityCentres(identities, inliers, samples)
        result.inlierPaths = Dictionary(uniqueKeysWithValues: identities.map { id in
            (id, inliers[id]!.map { samples[$0].path })
        })
        return result
    }

    /// The identity's adaptive threshold clamped to the floor and ceiling of the image's pose.
    func threshold(_ adaptive: Float, turned: Bool) -> Float {
        turned ? min(configuration.turnedCeiling, max(configuration.turnedFloor, adaptive))
            : min(configuration.absoluteCeiling, max(configuration.absoluteFloor, adaptive))
    }

    /// Leave-one-out similarity of each embedding to the others' normalised mean, and the
    /// identity's adaptive threshold `median − k·1.4826·MAD` (not yet clamped).
    func outlierScores(_ embeddings: [[Float]]) -> (scores: [Float], threshold: Float) {
        let dim = embeddings[0].count
        var sum = [Float](repeating: 0, count: dim)
        for e in embeddings { for d in 0..<dim { sum[d] += e[d] } }
        let scores = embeddings.map { e -> Float in
            var others = sum
            for d in 0..<dim { others[d] -= e[d] }
            return Vector.dot(e, Vector.normalised(others))
        }
        let median = Stats.median(scores)
        let mad = Stats.median(scores.map { abs($0 - median) }) * 1.4826
        let adaptive = median - configuration.madMultiplier * mad
        return (scores, adaptive)
    }

    func identityCentres(_ identities: [String], _ inliers: [String: [Int]], _ samples: [CleaningSample]) -> [(String, [Float])] {
        identities.compactMap { id in
            let members = inliers[id]!
            guard !members.isEmpty else { return nil }
            return (id, Vector.mean(members.map { samples[$0].embedding! }))
        }
    }

    /// Every pair of centres at least the threshold similar, most similar first. Quadratic in
    /// identities: fine to ~10⁵ identities; beyond, block by a vector index.
    func findDuplicates(_ centres: [(String, [Float])]) -> [DuplicatePair] {
        var pairs: [DuplicatePair] = []
        for i in centres.indices {
            for j in (i + 1)..<centres.count {
                let s = Vector.dot(centres[i].1, centres[j].1)
                if s >= configuration.duplicateThreshold { pairs.append(DuplicatePair(a: centres[i].0, b: centres[j].0, similarity: s)) }
            }
        }
        return pairs.sorted { $0.similarity > $1.similarity }
    }
}

/// One image as the cleaner sees it.
public struct CleaningSample: Sendable {
    public var path: String
    public var identity: String
    public var status: EmbeddingRecord.Status
    public var embedding: [Float]?
    public var faceCount: Int
    public var secondFaceRatio: Float
    /// See ``EmbeddingRecord/yaw``.
    public var yaw: Float
    public var error: String?

    public init(path: String, identity: String, embedding: [Float]?, status: EmbeddingRecord.Status? = nil,
                faceCount: Int = 1, secondFaceRatio: Float = 0, yaw: Float = 0, error: String? = nil) {
        self.path = path
        self.identity = identity
        self.embedding = embedding
        self.status = status ?? (embedding == nil ? .noFace : .face)
        self.faceCount = faceCount
        self.secondFaceRatio = secondFaceRatio
        self.yaw = yaw
        self.error = error
    }

    public init(_ record: EmbeddingRecord) {
        self.init(path: record.relativePath, identity: record.identity, embedding: record.embedding, status: record.status,
                  faceCount: record.faceCount, secondFaceRatio: record.secondFaceRatio, yaw: record.yaw, error: record.error)
    }
}

/// An image the cleaner thinks is wrong, and why.
public struct Suspect: Sendable, Equatable {
    public enum Reason: String, Sendable {
        /// Far from its identity's centre: probably another person.
        case outlier
        /// No face was found.
        case noFace = "no-face"
        /// Another face nearly as large as the chosen one.
        case severalFaces = "several-faces"
        /// The image could not be read or analysed.
        case unreadable
    }

    /// Relative to the dataset root.
    public var path: String
    public var identity: String
    public var reason: Reason
    /// `outlier`: similarity to the identity's centre; `several-faces`: second face's area
    /// over the first's; otherwise nil.
    public var score: Float?
    /// The round that found it (1-based); 0 for findings that need no rounds.
    public var iteration: Int
    /// The threshold it fell below, the face count or the error message.
    public var detail: String?
}

/// Two identity folders whose centres are close enough to be the same person.
public struct DuplicatePair: Sendable, Equatable, Hashable {
    public var a: String
    public var b: String
    public var similarity: Float
}

/// What ``DatasetCleaner/clean(_:)`` found.
public struct CleaningResult: Sendable {
    /// One round of intra-class cleaning and the duplicates seen after it.
    public struct Round: Sendable {
        public var iteration: Int
        public var newOutliers: Int
        public var duplicates: [DuplicatePair]
    }

    public struct IdentitySummary: Sendable {
        public var identity: String
        public var images: Int
        public var withFace: Int
        /// Images with a face left after cleaning.
        public var inliers: Int
    }

    /// Non-outlier findings (iteration 0) first, then outliers in the order found.
    public var suspects: [Suspect] = []
    /// After the last round, most similar first.
    public var duplicates: [DuplicatePair] = []
    public var iterations: [Round] = []
    public var identities: [IdentitySummary] = []
    /// Normalised mean of each identity's remaining images.
    public var centres: [(String, [Float])] = []
    /// Each identity's remaining images with a face.
    public var inlierPaths: [String: [String]] = [:]
}
