import Foundation
public import Visage
import VisageGallery
import VisageModels

/// What `visage calibrate --protocol folders DIR` found: a pilot on an operator's own labelled
/// photos (``PeopleFolders``), measured as Visage decides (`visage verify` for pairs, a gallery
/// search for identification), with thresholds proposed for a person to review and the pairs
/// that person should look at first.
public struct PilotReport: EvaluationReport {
    /// A threshold measured at one false-accept rate, and what it costs genuine comparisons.
    public struct Point: Sendable, Codable, Hashable {
        public var falseAcceptRate: Double
        public var threshold: Float
        /// Share of impostor scores (pairs, or strangers' best scores) at or above it.
        public var measuredRate: Double
        public var impostors: Int
        /// False when there are fewer than 10 / rate impostor scores: the threshold is then
        /// only a lower bound (just above the highest impostor seen).
        public var resolved: Bool
        /// Pairs: genuine pairs accepted. Identification: genuine searches identified (rank-1 and at or above it).
        public var genuineAcceptRate: Double
    }

    /// Pairs of one mask condition, decided as `visage verify` decides them.
    public struct Pairs: Sendable, Codable, Hashable {
        /// `unmasked`, `one_masked` or `both_masked` (the mask classifier's calls).
        public var condition: String
        /// `sface`, or `attention_head` when a face is masked.
        public var method: String
        public var genuinePairs: Int
        public var impostorPairs: Int
        public var thresholdInUse: Float
        /// Impostor pairs accepted at the threshold in use (false match rate).
        public var falseMatchRate: Double
        /// Genuine pairs rejected at it (false non-match rate).
        public var falseNonMatchRate: Double
        public var points: [Point]
    }

    /// Open-set identification of one kind of probe (unmasked faces through SFace, masked ones
    /// through the attention head), as ``Gallery/search(_:topK:)-(Probe,Int)`` decides.
    public struct Identification: Sendable, Codable, Hashable {
        public var method: String
        public var thresholdInUse: Float
        /// Photos of enrolled people not used to enrol them.
        public var genuineSearches: Int
        public var rank1: Double
        /// Genuine searches answered with the right person at the threshold in use (1 − FNIR).
        public var identified: Double
        /// Every photo searched as a stranger: against the gallery without its own person.
        public var strangerSearches: Int
        /// Strangers answered with someone at the threshold in use (FPIR).
        public var falsePositiveRate: Double
        /// Thresholds at false-positive identification rates.
        public var points: [Point]
    }

    /// A proposal for `visage gallery threshold`: never applied by the pilot itself.
    public struct Proposal: Sendable, Codable, Hashable {
        /// `threshold` or `masked_threshold`.
        public var setting: String
        public var inUse: Float
        /// Nil when the pilot cannot measure one.
        public var proposed: Float?
        public var resolved: Bool
        public var reason: String

        /// The value a reviewer may store from this proposal (`visage gallery threshold
        /// --from-pilot`): the proposed threshold when the pilot resolved it, or when it raises
        /// the threshold in use (strangers already reach it: a raise is safe on little
        /// evidence); nil when it would lower the threshold on too little evidence, or there is none.
        public var storable: Float? {
            guard let proposed, proposed.isFinite else { return nil }
            return resolved || proposed > inUse ? proposed : nil
        }
    }

    /// One group's figures (`--groups`), at the thresholds in use: the operator's own check of
    /// whom the system fails more often, as `visage eval demographics` is on UTKFace.
    public struct Group: Sendable, Codable, Hashable {
        public var group: String
        public var people: Int
        /// The group's photos with a face.
        public var photos: Int
        public var genuinePairs: Int
        /// Genuine pairs of the group's people rejected.
        public var falseNonMatchRate: Double
        /// Impostor pairs of two different people both in the group (where look-alikes are).
        public var impostorPairs: Int
        public var falseMatchRate: Double
        /// Genuine searches of the group's people, and the share identified at the threshold.
        public var genuineSearches: Int
        public var identified: Double
        /// The group's photos searched as strangers, and the share accepted as someone.
        public var strangerSearches: Int
        public var falsePositiveRate: Double
    }

    /// A pair a person should look at: the impostors scored highest (one person filed under two
    /// names, a duplicate photo, twins, look-alikes) and the genuine pairs scored lowest (a photo
    /// filed under the wrong person, a bad photo, the wrong face picked).
    public struct ReviewPair: Sendable, Codable, Hashable {
        public var first: String
        public var second: String
        public var same: Bool
        public var similarity: Float
        public var threshold: Float
        public var condition: String
    }

    public var kind = "pilot"
    public var name: String
    public var source: String
    public var people: Int
    public var photos: Int
    public var photosWithoutFace: [String]
    public var photosCalledMasked: Int
    public var unreadableImages: [UnreadableImage]
    /// The false-accept / false-positive identification rate the proposals aim at.
    public var targetRate: Double
    public var pairs: [Pairs]
    /// 1 when `pairs.csv` lists every impostor pair; k when it lists every k-th (over a million).
    public var impostorStrideInCSV: Int
    /// How the gallery was built: enrolment photos per person, preference for bare faces.
    public var enrolment: String
    public var enrolledPeople: Int
    public var identification: [Identification]
    public var proposals: [Proposal]
    public var highestImpostors: [ReviewPair]
    public var lowestGenuine: [ReviewPair]
    /// Per group of `--groups`, sorted by name; empty without it.
    public var groups: [Group]

    public func markdown() -> String {
        var out = "## Pilot on your own photos: \(name)\n\n"
        out += "Data: `\(source)`: \(people) people, \(photos) photos; no face found in \(photosWithoutFace.count)"
        out += ", \(photosCalledMasked) faces called masked by the mask classifier"
        out += unreadableImages.isEmpty ? ".\n\n" : ", \(unreadableImages.count) unreadable.\n\n"
        out += "**These are proposals for a person to review, not settings.** Look at the pairs listed below first: "
        out += "a wrong label or a duplicate moves a threshold more than anything else in a small pilot. "
        out += "Each photo's largest face is used. A threshold marked * is under-resolved (fewer than 10 / rate impostor scores): only a lower bound.\n\n"
        out += "### Pairs, decided as `visage verify` decides them\n\n"
        out += Format.table(["condition", "method", "genuine + impostor pairs", "threshold in use", "false match rate there", "false non-match rate there"]
                            + [1e-2, 1e-3, 1e-4].map { "threshold at FMR \(Format.rate($0)) (genuine accepted)" },
                            pairs.map { p in
            [p.condition.replacingOccurrences(of: "_", with: " "), p.method, "\(p.genuinePairs) + \(p.impostorPairs)", Format.number(p.thresholdInUse, decimals: 4),
             Format.percent(p.falseMatchRate, decimals: 3), Format.percent(p.falseNonMatchRate)] + p.points.map(Self.cell)
        }) + "\n\n"
        out += "Pair thresholds chosen after a review go to the service as `visage serve --verify-thresholds UNMASKED,ONE_MASKED,BOTH_MASKED`.\n\n"
        if impostorStrideInCSV > 1 { out += "`pairs.csv` lists every genuine pair and one impostor pair in \(impostorStrideInCSV) (the rates above count them all).\n\n" }
        out += "### Identification (open set), as the gallery decides\n\n\(enrolment) (\(enrolledPeople) people enrolled). "
        out += "Every photo is also searched as a stranger, against the gallery without its own person: its best score over everyone else.\n\n"
        out += Format.table(["probes", "threshold in use", "genuine searches", "rank-1", "identified at the threshold (1 − FNIR)", "stranger searches",
                             "strangers accepted there (FPIR)"] + [1e-2, 1e-3].map { "threshold at FPIR \(Format.rate($0)) (identified)" },
                            identification.map { i in
            [i.method == "sface" ? "unmasked (SFace)" : "masked (attention head)", Format.number(i.thresholdInUse, decimals: 4), "\(i.genuineSearches)",
             Format.percent(i.rank1), Format.percent(i.identified), "\(i.strangerSearches)", Format.percent(i.falsePositiveRate, decimals: 3)] + i.points.map(Self.cell)
        }) + "\n\n"
        if !groups.isEmpty {
            out += "### By group (`--groups`), at the thresholds in use\n\n"
            out += "Impostor pairs within a group (two different people of the same group), as NIST's demographic checks count them. "
            out += "With a few people per group one person moves every rate: read the counts.\n\n"
            out += Format.table(["group", "people", "photos with a face", "genuine pairs", "false non-match rate", "impostor pairs within", "false match rate",
                                 "genuine searches", "identified", "stranger searches", "strangers accepted (FPIR)"], groups.map { g in
                [g.group, "\(g.people)", "\(g.photos)", "\(g.genuinePairs)", Format.percent(g.falseNonMatchRate), "\(g.impostorPairs)",
                 Format.percent(g.falseMatchRate, decimals: 3), "\(g.genuineSearches)", Format.percent(g.identified), "\(g.strangerSearches)",
                 Format.percent(g.falsePositiveRate, decimals: 3)]
            }) + "\n\n"
        }
        out += "### Proposed gallery thresholds (FPIR \(Format.rate(targetRate)))\n\n"
        for p in proposals {
            out += "- `\(p.setting)`: in use \(Format.number(p.inUse, decimals: 4)); "
            out += p.proposed.map { "measured \(Format.number($0, decimals: 4))\(p.resolved ? "" : " (under-resolved: a lower bound)"). " } ?? "not measurable here. "
            out += p.reason + "\n"
        }
        out += "\nOnce reviewed, store the chosen value with who chose it: `visage gallery threshold --gallery G --set T --note \"…\"` "
        out += "(`--set-masked M` for masked probes), or what is proposed above with `--from-pilot` and this folder's report.json "
        out += "(a proposal that would lower a threshold on too few strangers is left out); docs/gallery.md.\n\n"
        out += "### Pairs to review first\n\n"
        for (title, list) in [("Impostor pairs scored highest (same person under two names? duplicate photo?)", highestImpostors),
                              ("Genuine pairs scored lowest (photo filed under the wrong person? wrong face?)", lowestGenuine)] where !list.isEmpty {
            out += "\(title):\n\n" + Format.table(["first", "second", "similarity", "threshold", "condition"], list.map {
                ["`\($0.first)`", "`\($0.second)`", Format.number($0.similarity, decimals: 4), Format.number($0.threshold, decimals: 4), $0.condition.replacingOccurrences(of: "_", with: " ")]
            }) + "\n\n"
        }
        if !photosWithoutFace.isEmpty { out += "No face found: " + photosWithoutFace.map { "`\($0)`" }.joined(separator: ", ") + "\n\n" }
        for image in unreadableImages { out += "Unreadable: `\(image.path)`: \(image.error)\n" }
        return out
    }

    private static func cell(_ p: Point) -> String {
        "\(Format.number(p.threshold, decimals: 4)) (\(Format.percent(p.genuineAcceptRate)))\(p.resolved ? "" : " *")"
    }
}

/// A pilot on an operator's own photos (`visage calibrate --protocol folders`): every photo
/// analysed once (largest face) with the gallery's tasks; every pair of photos decided as
/// `visage verify` decides it; a temporary gallery enrolled from up to ``enrolmentPhotos``
/// photos per person (bare faces first, as docs/gallery.md advises) and searched with the rest;
/// every photo searched as a stranger by leaving its own person out of the answer (a search's
/// best score over everyone else, which is exactly what the gallery without that person would
/// return). Thresholds are measured at false-accept rates and proposed at ``targetRate``.
///
/// ```swift
/// let pilot = FolderPilot(folders: try PeopleFolders(root: "pilot-photos"))
/// let report = try await pilot.run(analyzer: analyzer, output: "out/calibration/pilot-photos") { _, _, _ in }
/// ```
public struct FolderPilot: Sendable {
    public var folders: PeopleFolders
    /// Photos enrolled per person, at most (one fewer when that leaves a person no probe); default 5.
    public var enrolmentPhotos = 5
    /// The rate proposals aim at; default 1e-3, the rate the calibrated defaults were set at.
    public var targetRate = 1e-3
    /// The pair thresholds in use (`visage verify`'s defaults unless given).
    public var verification = Verification.Thresholds()
    /// The gallery thresholds in use; nil: the calibrated defaults.
    public var galleryThreshold: Float?
    public var maskedGalleryThreshold: Float?
    /// Person (folder name) → group, for the per-group table (`--groups`); people not in it are
    /// "(no group)". Empty: no table.
    public var groups: [String: String] = [:]
    /// How many pairs of each kind the report lists for review; default 10.
    public var reviewCount = 10
    /// What the gallery decides each kind of probe with: the thresholds given, else the calibrated defaults.
    var galleryThresholdsInUse: [Verification.Method: Float] {
        [.sface: galleryThreshold ?? Gallery.defaultThreshold, .attentionHead: maskedGalleryThreshold ?? Gallery.defaultMaskedThreshold]
    }
    /// Impostor pairs `pairs.csv` holds at most (about): above it, every k-th one.
    static let impostorLines = 1_000_000

    public init(folders: PeopleFolders) {
        self.folders = folders
    }

    /// Analyses the photos, writes `report.json`, `report.md`, `pairs.csv` (first, second, same,
    /// similarity, threshold, method, condition) and `review.html` (the pairs to review, faces
    /// side by side; thumbnails in `review/`) into `output`, and returns the report.
    public func run(analyzer: FaceAnalyzer, output: String, progress: EvaluationProgress) async throws -> PilotReport {
        try ReportFiles.createDirectory(output)
        let paths = folders.people.flatMap(\.photos)
        let (faces, unreadable) = await largestFaces(of: paths, analyzer: analyzer, progress: progress)
        let unreadablePaths = Set(unreadable.map(\.path))
        let relative = { (path: String) in String(path.dropFirst(folders.root.count + 1)) }

        // Every photo with a face (and its embedding: the analyzer runs the gallery's tasks), with its person's index.
        let found = folders.people.enumerated().flatMap { index, person in
            person.photos.compactMap { p in faces[p].flatMap { $0.embedding == nil ? nil : (path: p, person: index, face: $0) } }
        }
        var genuine: [Verification.Condition: [Float]] = [:], impostor: [Verification.Condition: [Float]] = [:]
        var methods: [Verification.Condition: Verification.Method] = [:]
        var reviewImpostors: [PilotReport.ReviewPair] = [], reviewGenuine: [PilotReport.ReviewPair] = []
        let groupOf = folders.people.map { groups[$0.name] ?? Self.noGroup }
        var tally: [String: GroupTally] = [:]
        // pairs.csv keeps every genuine pair and, past a million impostor pairs, every k-th one:
        // 7,000 photos make 24 million pairs, a file of gigabytes nobody would open.
        let perPerson = Dictionary(grouping: found, by: \.person).values.map(\.count)
        let impostorPairs = found.count * (found.count - 1) / 2 - perPerson.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let impostorStride = max(1, (impostorPairs + Self.impostorLines - 1) / Self.impostorLines)
        var impostorsSeen = 0
        let names = found.map { relative($0.path) }  // once per photo, not once per pair
        var csv = try ReportFiles.LineWriter(path: output + "/pairs.csv")
        try csv.append("first,second,same,similarity,threshold,method,condition")
        for i in found.indices {
            for j in found.indices where j > i {
                guard let v = Verification(comparing: found[i].face, with: found[j].face, thresholds: verification) else { continue }
                let same = found[i].person == found[j].person
                if !groups.isEmpty {
                    let g = groupOf[found[i].person]
                    if same {
                        tally[g, default: .init()].genuine += 1
                        if !v.same { tally[g, default: .init()].falseNonMatches += 1 }
                    } else if g == groupOf[found[j].person] {
                        tally[g, default: .init()].impostors += 1
                        if v.same { tally[g, default: .init()].falseMatches += 1 }
                    }
                }
                if same { genuine[v.condition, default: []].append(v.similarity) } else { impostor[v.condition, default: []].append(v.similarity) }
                methods[v.condition] = v.method
                let line = PilotReport.ReviewPair(first: names[i], second: names[j], same: same,
                                                  similarity: v.similarity, threshold: v.threshold, condition: v.condition.rawValue)
                if !same { impostorsSeen += 1 }
                if same || impostorsSeen % impostorStride == 0 {
                    try csv.append("\(ReportFiles.csvField(line.first)),\(ReportFiles.csvField(line.second)),\(same),\(v.similarity),\(v.threshold),\(v.method.rawValue),\(v.condition.rawValue)")
                }
                // Keep the review lists short as they grow: the highest impostors, the lowest genuine.
                if same {
                    reviewGenuine.keepFirst(line, count: reviewCount) { $0.similarity < $1.similarity }
                } else {
                    reviewImpostors.keepFirst(line, count: reviewCount) { $0.similarity > $1.similarity }
                }
            }
        }
        try csv.close()

        let pairs = [Verification.Condition.unmasked, .oneMasked, .bothMasked].compactMap { condition -> PilotReport.Pairs? in
            let g = genuine[condition] ?? [], i = impostor[condition] ?? []
            guard !g.isEmpty || !i.isEmpty else { return nil }
            let inUse = methods[condition] == .sface ? verification.unmasked : verification.threshold(for: condition)
            return PilotReport.Pairs(
                condition: condition.rawValue, method: (methods[condition] ?? .sface).rawValue, genuinePairs: g.count, impostorPairs: i.count,
                thresholdInUse: inUse, falseMatchRate: Format.rounded(ThresholdCalibration.rate(of: i, atOrAbove: inUse)),
                falseNonMatchRate: Format.rounded(1 - (g.isEmpty ? 1 : ThresholdCalibration.rate(of: g, atOrAbove: inUse))),
                points: i.isEmpty ? [] : [1e-2, 1e-3, 1e-4].map { Self.point(impostors: i, rate: $0, genuine: g) })
        }

        let searched = try await identify(found: found)
        if !groups.isEmpty {
            for (person, g) in groupOf.enumerated() { tally[g, default: .init()].people.insert(person) }
            for photo in found { tally[groupOf[photo.person], default: .init()].photos += 1 }
            for (g, search) in searched.byGroup(groupOf) { tally[g, default: .init()].searches = search }
        }
        let report = PilotReport(
            name: URL(fileURLWithPath: folders.root).lastPathComponent, source: folders.root, people: folders.people.count, photos: paths.count,
            photosWithoutFace: paths.filter { faces[$0] == nil && !unreadablePaths.contains($0) }.map(relative),
            photosCalledMasked: faces.values.count { $0.mask?.isMasked == true }, unreadableImages: unreadable, targetRate: targetRate,
            pairs: pairs, impostorStrideInCSV: impostorStride, enrolment: searched.description, enrolledPeople: searched.enrolled, identification: searched.results,
            proposals: proposals(searched), highestImpostors: reviewImpostors, lowestGenuine: reviewGenuine,
            groups: tally.sorted { $0.key < $1.key }.map { $0.value.report($0.key) })
        try report.write(to: output)
        try PilotReviewPage(report: report, faces: faces, root: folders.root).write(to: output)
        return report
    }

    /// What the open-set searches gave, per probe method.
    private struct Searches {
        var results: [PilotReport.Identification]
        var enrolled: Int
        var description: String
        /// Per method: the genuine searches' scores (−2 for a wrong rank-1 answer) and the strangers' best scores.
        var genuine: [Verification.Method: [Float]]
        var strangers: [Verification.Method: [Float]]
        /// Per person index: genuine searches, identified at the threshold, stranger searches, accepted as someone.
        var outcomes: [Int: SearchTally]

        /// The outcomes summed over each group's people.
        func byGroup(_ groupOf: [String]) -> [String: SearchTally] {
            var out: [String: SearchTally] = [:]
            for (person, t) in outcomes {
                let g = groupOf[person]
                out[g, default: .init()].genuine += t.genuine
                out[g, default: .init()].identified += t.identified
                out[g, default: .init()].strangers += t.strangers
                out[g, default: .init()].accepted += t.accepted
            }
            return out
        }
    }

    struct SearchTally { var genuine = 0, identified = 0, strangers = 0, accepted = 0 }

    /// Counts of one group while the pilot runs.
    struct GroupTally {
        var people = Set<Int>(), photos = 0, genuine = 0, falseNonMatches = 0, impostors = 0, falseMatches = 0
        var searches = SearchTally()

        func report(_ group: String) -> PilotReport.Group {
            func rate(_ a: Int, _ b: Int) -> Double { Format.rounded(b == 0 ? 0 : Double(a) / Double(b)) }
            return PilotReport.Group(group: group, people: people.count, photos: photos, genuinePairs: genuine,
                                     falseNonMatchRate: rate(falseNonMatches, genuine), impostorPairs: impostors,
                                     falseMatchRate: rate(falseMatches, impostors), genuineSearches: searches.genuine,
                                     identified: rate(searches.identified, searches.genuine), strangerSearches: searches.strangers,
                                     falsePositiveRate: rate(searches.accepted, searches.strangers))
        }
    }

    static let noGroup = "(no group)"

    /// The open-set searches.
    private func identify(found: [(path: String, person: Int, face: Face)]) async throws -> Searches {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("visage-pilot-\(UUID().uuidString).gallery")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) } }
        var configuration = Gallery.Configuration()
        let thresholds = galleryThresholdsInUse
        configuration.threshold = thresholds[.sface]
        configuration.maskedThreshold = thresholds[.attentionHead]
        configuration.auditsIdentifications = false
        configuration.recordsAudit = false
        let gallery = try await Gallery.open(file.path, configuration: configuration)

        // Enrol from bare faces first; keep one photo back as a probe where the person has two or more.
        var enrolledPaths = Set<String>(), personIDs: [Int: Int64] = [:]
        for person in Set(found.map(\.person)).sorted() {
            let photos = found.filter { $0.person == person }.sorted { ($0.face.mask?.isMasked == true ? 1 : 0, $0.path) < ($1.face.mask?.isMasked == true ? 1 : 0, $1.path) }
            let chosen = photos.prefix(photos.count == 1 ? 1 : min(enrolmentPhotos, photos.count - 1))
            let (stored, _) = try await gallery.enroll(name: folders.people[person].name,
                                                       templates: try chosen.map { try gallery.template(for: $0.face, imageData: nil) })
            personIDs[person] = stored.id
            enrolledPaths.formUnion(chosen.map(\.path))
        }

        var genuine: [Verification.Method: [Float]] = [:], rank1: [Verification.Method: Int] = [:], strangers: [Verification.Method: [Float]] = [:]
        var outcomes: [Int: SearchTally] = [:]
        for photo in found {
            guard let probe = Gallery.Probe(face: photo.face) else { continue }
            // Every person is a candidate, so the best one that is not the photo's own person is
            // the score the gallery without that person would answer with.
            let answer = await gallery.search(probe, topK: personIDs.count)
            let own = personIDs[photo.person]
            let strangerScore = answer.candidates.first { $0.personID != own }?.similarity ?? -1
            strangers[answer.method, default: []].append(strangerScore)
            outcomes[photo.person, default: .init()].strangers += 1
            if strangerScore >= answer.threshold { outcomes[photo.person, default: .init()].accepted += 1 }
            guard !enrolledPaths.contains(photo.path) else { continue }
            // A wrong rank-1 answer is a miss at any threshold (−2 is below every cosine).
            let right = answer.candidates.first?.personID == own
            genuine[answer.method, default: []].append(right ? answer.candidates[0].similarity : -2)
            if right { rank1[answer.method, default: 0] += 1 }
            outcomes[photo.person, default: .init()].genuine += 1
            if right && answer.candidates[0].similarity >= answer.threshold { outcomes[photo.person, default: .init()].identified += 1 }
        }
        let results = [Verification.Method.sface, .attentionHead].compactMap { method -> PilotReport.Identification? in
            let g = genuine[method] ?? [], s = strangers[method] ?? []
            guard !g.isEmpty || !s.isEmpty, let inUse = thresholds[method] else { return nil }
            return PilotReport.Identification(
                method: method.rawValue, thresholdInUse: inUse, genuineSearches: g.count,
                rank1: Format.rounded(g.isEmpty ? 0 : Double(rank1[method] ?? 0) / Double(g.count)),
                identified: Format.rounded(ThresholdCalibration.rate(of: g, atOrAbove: inUse)), strangerSearches: s.count,
                falsePositiveRate: Format.rounded(ThresholdCalibration.rate(of: s, atOrAbove: inUse)),
                points: s.isEmpty ? [] : [1e-2, 1e-3].map { Self.point(impostors: s, rate: $0, genuine: g) })
        }
        let description = "Each person enrolled from up to \(enrolmentPhotos) photos (faces the mask classifier calls bare first, then by file name; "
            + "one photo kept back as a probe when a person has two or more), searched with the others"
        return Searches(results: results, enrolled: personIDs.count, description: description, genuine: genuine, strangers: strangers,
                        outcomes: outcomes)
    }

    /// What to propose for each gallery threshold, in words a reviewer can act on.
    private func proposals(_ searched: Searches) -> [PilotReport.Proposal] {
        let thresholds = galleryThresholdsInUse
        return [(Verification.Method.sface, "threshold"), (.attentionHead, "masked_threshold")].map { method, setting in
            let inUse = thresholds[method]!
            guard let strangers = searched.strangers[method], !strangers.isEmpty else {
                return PilotReport.Proposal(setting: setting, inUse: inUse, proposed: nil, resolved: false,
                                            reason: method == .sface ? "No stranger searches: the pilot needs photos of two or more people with a face."
                                                : "No probe was called masked: a pilot for masked probes needs masked photos of the people.")
            }
            let point = Self.point(impostors: strangers, rate: targetRate, genuine: searched.genuine[method] ?? [])
            let needed = Int((10 / targetRate).rounded(.up))
            let reached = strangers.count { $0 >= inUse }
            let reason: String
            if !point.resolved {
                reason = "\(strangers.count) stranger searches cannot resolve FPIR \(Format.rate(targetRate)) (about \(needed) are needed); "
                    + "\(reached) of them reached the threshold in use. "
                    + (point.threshold > inUse
                        ? "That is already more than FPIR \(Format.rate(targetRate)) allows: raise it at least to \(Format.number(point.threshold, decimals: 4)), after looking at the highest impostors."
                        : "Keep it: lowering it on this evidence would be a guess.")
            } else if point.threshold > inUse {
                reason = "Strangers score higher on these photos than on CFP's: raise it to keep FPIR at \(Format.rate(targetRate)); identified at it: \(Format.percent(point.genuineAcceptRate))."
            } else {
                reason = "Strangers score lower here than on CFP's photos: the threshold could come down to it, identifying more of your people at the same FPIR; check the lowest genuine pairs first."
            }
            return PilotReport.Proposal(setting: setting, inUse: inUse, proposed: point.threshold, resolved: point.resolved, reason: reason)
        }
    }

    static func point(impostors: [Float], rate: Double, genuine: [Float]) -> PilotReport.Point {
        let p = ThresholdCalibration.threshold(impostorScores: impostors, falseAcceptRate: rate)
        return PilotReport.Point(falseAcceptRate: rate, threshold: p.threshold, measuredRate: Format.rounded(p.measuredRate), impostors: p.impostors,
                                 resolved: p.resolved, genuineAcceptRate: Format.rounded(ThresholdCalibration.rate(of: genuine, atOrAbove: p.threshold)))
    }
}
