public import Foundation
public import Visage
public import VisageGallery
public import VisageJSON

/// CFP (Celebrities in Frontal-Profile): 500 people × 10 frontal + 4 profile photos, and the
/// standard FF/FP pair protocol. Embeddings are cached in a folder, so a second run is fast.
public struct CFPDataset: Sendable {
    public static let identities = 1...500
    public static let frontal = 1...10
    public static let profile = 1...4

    public let root: URL

    public init(path: String) throws(EvaluationError) {
        root = URL(fileURLWithPath: path, isDirectory: true)
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Data/Images/001/frontal/01.jpg").path) else {
            throw .malformed(path: path, line: nil, reason: "does not look like CFP: Data/Images/001/frontal/01.jpg is missing.")
        }
    }

    /// "001/frontal/01.jpg", relative to Data/Images.
    public static func image(_ id: Int, _ pose: String, _ n: Int) -> String {
        String(format: "%03d/%@/%02d.jpg", id, pose, n)
    }

    public var allImages: [String] {
        Self.identities.flatMap { id in
            Self.frontal.map { Self.image(id, "frontal", $0) } + Self.profile.map { Self.image(id, "profile", $0) }
        }
    }

    public func absolute(_ image: String) -> String { root.appendingPathComponent("Data/Images/" + image).path }

    /// The pairs of the FF or FP protocol, with both images named as in ``image(_:_:_:)``
    /// (relative to Data/Images), the keys of the embedding cache.
    public func pairs(_ kind: CFPProtocol) throws(EvaluationError) -> [(a: String, b: String, same: Bool)] {
        let images = root.appendingPathComponent("Data/Images").standardizedFileURL.path + "/"
        func key(_ path: String) -> String { path.hasPrefix(images) ? String(path.dropFirst(images.count)) : path }
        return try VerificationPairs.cfp(root: root.path, protocol: kind).pairs.map { (key($0.first), key($0.second), $0.same) }
    }

    /// Embeddings of the largest face of every image, keyed as in ``image(_:_:_:)``, through
    /// ``ImageEmbeddings`` and its cache file in `cacheDirectory` (the one `visage eval
    /// verification` keeps), so a second run reads them instead of analysing 7,000 photos.
    public func embeddings(analyzer: FaceAnalyzer, cacheDirectory: String, progress: EvaluationProgress) async throws(EvaluationError) -> Embeddings {
        try ReportFiles.createDirectory(cacheDirectory)
        let images = allImages
        let collected = await ImageEmbeddings.collect(images.map(absolute), analyzer: analyzer,
                                                      cachePath: cacheDirectory + "/" + ImageEmbeddings.cacheFileName, progress: progress)
        var known: [String: [Float]?] = [:]
        for image in images { known[image] = .some(collected.embeddings[absolute(image)]) }
        return Embeddings(byImage: known, unreadable: collected.unreadable, computed: images.count - collected.fromCache)
    }

    /// What ``embeddings(analyzer:cacheDirectory:progress:)`` found.
    public struct Embeddings: Sendable {
        /// Image (as in ``CFPDataset/image(_:_:_:)``) → embedding of its largest face; nil: no face.
        public var byImage: [String: [Float]?]
        /// Images that could not be read or analysed.
        public var unreadable: [UnreadableImage]
        /// How many were analysed now rather than read from the cache.
        public var computed: Int
    }
}

/// A gallery of CFP identities enrolled from frontal photos 01–05, in a temporary SQLite file,
/// searched through the same ``Gallery`` API the commands use.
public struct CFPOpenSet: Sendable {
    public let gallery: Gallery
    /// CFP identity number → person id in the gallery.
    public let personIDs: [Int: Int64]
    private let file: URL

    public static let enrollmentPhotos = 1...5

    public init(embeddings: [String: [Float]?], enrolled: ClosedRange<Int>, threshold: Float = Gallery.defaultThreshold, compact: Bool = false) async throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("visage-cfp-\(UUID().uuidString).gallery")
        var configuration = Gallery.Configuration()
        configuration.threshold = threshold
        configuration.auditsIdentifications = false
        if compact { configuration.searchMode = .compact }
        gallery = try await Gallery.open(file.path, configuration: configuration)
        var ids: [Int: Int64] = [:]
        for id in enrolled {
            let templates = Self.enrollmentPhotos.compactMap { n in
                embeddings[CFPDataset.image(id, "frontal", n)].flatMap { $0 }.map { Template(embedding: $0, model: Gallery.embeddingModel) }
            }
            guard !templates.isEmpty else { continue }
            let (person, _) = try await gallery.enroll(name: String(format: "%03d", id), templates: templates)
            ids[id] = person.id
        }
        personIDs = ids
    }

    public func remove() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
    }
}

/// The open-set identification protocol of issue 3 on CFP: identities 001–250 enrolled from
/// frontal photos 01–05; searched with their frontal photos 06–10 and their 4 profiles, and
/// with every photo of identities 251–500 as strangers.
public struct CFPIdentificationResult: Sendable {
    public struct Tally: Sendable { public var searches = 0, noFace = 0, rank1 = 0, identified = 0, rejected = 0 }

    public var threshold: Float
    public var enrolled: Int
    public var frontal = Tally(), profile = Tally(), strangerFrontal = Tally(), strangerProfile = Tally()

    public var strangers: Tally {
        Tally(searches: strangerFrontal.searches + strangerProfile.searches, noFace: strangerFrontal.noFace + strangerProfile.noFace,
              rejected: strangerFrontal.rejected + strangerProfile.rejected)
    }

    static func pct(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) * 100 / Double(b) }
    /// A stranger photo without a detected face is reported as nobody: it counts as rejected.
    static func rejection(_ t: Tally) -> Double { pct(t.rejected + t.noFace, t.searches) }

    public static func run(embeddings: [String: [Float]?], threshold: Float, compact: Bool = false) async throws -> CFPIdentificationResult {
        let openSet = try await CFPOpenSet(embeddings: embeddings, enrolled: 1...250, threshold: threshold, compact: compact)
        defer { openSet.remove() }
        func run(_ ids: ClosedRange<Int>, _ photos: [(String, Int)], enrolled: Bool) async -> Tally {
            var tally = Tally()
            for id in ids {
                for (pose, n) in photos {
                    tally.searches += 1
                    guard let embedding = embeddings[CFPDataset.image(id, pose, n)] ?? nil else { tally.noFace += 1; continue }
                    let answer = await openSet.gallery.search(embedding, topK: 1)
                    if answer.match == nil { tally.rejected += 1 }
                    if enrolled, let best = answer.candidates.first, best.personID == openSet.personIDs[id] {
                        tally.rank1 += 1
                        if answer.match != nil { tally.identified += 1 }
                    }
                }
            }
            return tally
        }
        var result = CFPIdentificationResult(threshold: threshold, enrolled: openSet.personIDs.count)
        result.frontal = await run(1...250, (6...10).map { ("frontal", $0) }, enrolled: true)
        result.profile = await run(1...250, (1...4).map { ("profile", $0) }, enrolled: true)
        result.strangerFrontal = await run(251...500, (1...10).map { ("frontal", $0) }, enrolled: false)
        result.strangerProfile = await run(251...500, (1...4).map { ("profile", $0) }, enrolled: false)
        return result
    }

    public var json: JSONValue {
        func genuine(_ t: Tally) -> JSONValue {
            .object([("searches", .integer(t.searches)), ("no_face", .integer(t.noFace)),
                     ("rank1_accuracy", .number(Self.pct(t.rank1, t.searches), decimals: 2)),
                     ("identified_at_threshold", .number(Self.pct(t.identified, t.searches), decimals: 2))])
        }
        func stranger(_ t: Tally) -> JSONValue {
            .object([("searches", .integer(t.searches)), ("no_face", .integer(t.noFace)), ("rejection_rate", .number(Self.rejection(t), decimals: 2))])
        }
        return .object([
            ("threshold", .number(threshold, decimals: 4)), ("enrolled", .integer(enrolled)),
            ("frontal_06_10", genuine(frontal)), ("profile", genuine(profile)),
            ("strangers", stranger(strangers)), ("strangers_frontal", stranger(strangerFrontal)), ("strangers_profile", stranger(strangerProfile)),
        ])
    }

    public var text: String {
        var lines = [String(format: "open-set identification, %d people enrolled (001-250, frontal 01-05), threshold %.4f:", enrolled, threshold)]
        for (name, t) in [("frontal 06-10", frontal), ("profile 01-04", profile)] {
            lines.append(String(format: "  %@: %d searches, rank-1 %.2f%%, identified at threshold %.2f%% (%d without face)",
                                name, t.searches, Self.pct(t.rank1, t.searches), Self.pct(t.identified, t.searches), t.noFace))
        }
        for (name, t) in [("strangers 251-500", strangers), ("  frontal", strangerFrontal), ("  profile", strangerProfile)] {
            lines.append(String(format: "  %@: %d searches, rejected as unknown %.2f%% (%d without face)", name, t.searches, Self.rejection(t), t.noFace))
        }
        return lines.joined(separator: "\n")
    }
}
