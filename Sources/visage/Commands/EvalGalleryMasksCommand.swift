import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageGallery
import VisageJSON

/// `visage eval gallery-masks`: open-set identification with masked probes, on CFP with
/// synthetic masks and on real masks (masked-people), through the gallery's mask-aware search.
struct EvalGalleryMasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery-masks",
        abstract: "Open-set identification with masked probes: CFP with synthetic masks, and real masks in <person>/{masked,unmasked} folders.",
        discussion: """
        Every gallery is enrolled from unmasked photos as `visage enroll` does (SFace template, \
        attention-head template, mask call) and searched as `visage identify` does: a probe the \
        mask classifier calls masked is searched through the attention head against the masked \
        threshold, any other through SFace against the gallery threshold.

        CFP (frontal photos; the mask drawn by `visage dataset mask`'s renderer, one of five \
        styles seeded per photo, then the whole pipeline run again on the masked photo; cached \
        in --cache):
          - calibration: identities 251–500 enrolled from frontal 01–05, every frontal photo of \
            001–250 masked and searched as a stranger; the masked threshold is set at a \
            false-positive identification rate of 1e-3 over those strangers' best similarities;
          - evaluation (the protocol of `visage calibrate`, other half): 001–250 enrolled from \
            frontal 01–05, searched with their frontal 06–10 masked (and unmasked, for the \
            figures beside), and every frontal photo of 251–500 as strangers.
        The attention head was trained on CFP identities 001–400 with synthetic masks: these CFP \
        figures are in-sample for the head.

        Real masks (--folders, default $VISAGE_DATA/masked-people): everyone enrolled from their \
        unmasked photos; each masked photo searched (rank-1, identified at the threshold); and, \
        leaving one person out of the gallery at a time, their masked photos searched as \
        strangers (rejected as unknown).

        Examples:
          visage eval gallery-masks
          visage eval gallery-masks --cfp ../shared/data/cfp --folders ../shared/data/masked-people --json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The CFP folder, with Data/Images (default: $VISAGE_DATA/cfp).", valueName: "dir"))
    var cfp: String?

    @Option(help: ArgumentHelp("Photos with real masks, <person>/{masked,unmasked}/*.jpg (default: $VISAGE_DATA/masked-people).", valueName: "dir"))
    var folders: String?

    @Option(help: ArgumentHelp("File caching the per-photo measurements of CFP.", valueName: "file"))
    var cache: String = Eval.defaultOutput("cfp-frontal-masks.tsv")

    @Option(help: ArgumentHelp("Folder for report.txt and report.json.", valueName: "dir"))
    var output: String = Eval.defaultOutput("gallery-masks")

    @Option(help: "Seed of the per-photo mask style.")
    var maskSeed: UInt64 = 1

    @Option(name: .customLong("masked-threshold"), help: "Masked threshold the identification figures are measured at (default: the gallery's compiled-in one).")
    var maskedThresholdOption: Float?

    func validate() throws {
        try validateSimilarity(maskedThresholdOption, "--masked-threshold")
    }

    @Flag(help: "Measure CFP's photos (fill the cache) and stop.")
    var collectOnly = false

    static let cfpFrontal: [String] = (1...500).flatMap { id in (1...10).map { String(format: "%03d/frontal/%02d.jpg", id, $0) } }

    func run() async throws {
        let cfpRoot = Eval.dataFolder(cfp, "cfp")
        let cachePath = cache
        try Eval.prepareMaskCache(cachePath, option: "--cache")
        let analyzer = try global.makeAnalyzer(tasks: [.embedding, .mask, .maskedFaceEmbedding], imagesInFlight: FaceAnalyzer.defaultBatchConcurrency)
        let images = Self.cfpFrontal.map { cfpRoot + "/Data/Images/" + $0 }
        guard FileManager.default.fileExists(atPath: images[0]) else {
            printError("Error: \(cfpRoot) does not look like CFP: \(images[0]) is missing.")
            throw VisageExitCode.badInput
        }
        var progress = Progress()
        let records = await MaskedEmbeddings.collect(images, analyzer: analyzer, seed: maskSeed, cachePath: cachePath) { progress.update($0, $1, $2) }
        progress.finish()
        printError("CFP frontal: \(records.records.count) photos measured, \(records.unreadable.count) unreadable")
        if collectOnly { return }
        let record = { (id: Int, n: Int) in records.records[cfpRoot + "/Data/Images/" + String(format: "%03d/frontal/%02d.jpg", id, n)] }

        // Calibration half: 251–500 enrolled, 001–250 masked as strangers.
        var lines: [String] = []
        var sections: [(String, JSONValue)] = []
        let calibrationGallery = try await MaskedOpenSet(enrolled: 251...500) { record($0, $1) }
        var maxima: [Float] = [], strangersBySFace = 0, strangersNoFace = 0
        for id in 1...250 {
            for n in 1...10 {
                guard let probe = record(id, n).flatMap(MaskedOpenSet.maskedProbe) else { strangersNoFace += 1; continue }
                let answer = await calibrationGallery.gallery.search(probe, topK: 1)
                if answer.method == .attentionHead { maxima.append(answer.bestSimilarity ?? -1) } else { strangersBySFace += 1 }
            }
        }
        calibrationGallery.remove()
        let points = [1e-2, 1e-3].map { ThresholdCalibration.threshold(impostorScores: maxima, falseAcceptRate: $0) }
        let calibrated = points[1]
        lines.append("CFP calibration (synthetic masks; 251-500 enrolled unmasked from frontal 01-05, 001-250 masked as strangers):")
        lines.append(String(format: "  %d stranger searches through the attention head (%d called unmasked went to SFace, %d without a face); highest %.4f",
                            maxima.count, strangersBySFace, strangersNoFace, maxima.max() ?? -1))
        for p in points {
            lines.append(String(format: "  FPIR %.0e: masked threshold %.4f (measured %.5f)%@", p.falseAcceptRate, p.threshold, p.measuredRate,
                                p.resolved ? "" : " [under-resolved: \(p.impostors) strangers, a lower bound]"))
        }
        lines.append(String(format: "  compiled-in masked threshold: %.4f (FPIR 1e-3 measured here: %.4f)", Gallery.defaultMaskedThreshold, calibrated.threshold))
        sections.append(("cfp_calibration", .object([
            ("compiled_in", .number(Gallery.defaultMaskedThreshold, decimals: 4)),
            ("gallery", .string("CFP 251-500, unmasked frontal 01-05")), ("strangers", .string("CFP 001-250, every frontal photo with a synthetic mask")),
            ("attention_head_searches", .integer(maxima.count)), ("searched_with_sface", .integer(strangersBySFace)), ("no_face", .integer(strangersNoFace)),
            ("stranger_maximum", .number(maxima.max() ?? -1, decimals: 4)),
            ("thresholds", .array(points.map { .object([("fpir", .number($0.falseAcceptRate, decimals: 4)), ("threshold", .number($0.threshold, decimals: 4)),
                                                        ("measured", .number($0.measuredRate, decimals: 5)), ("resolved", .bool($0.resolved))]) })),
        ])))

        // Evaluation half: 001–250 enrolled; their frontal 06–10 masked (and bare); 251–500 as strangers.
        let maskedThreshold = maskedThresholdOption ?? Gallery.defaultMaskedThreshold
        let evaluation = try await MaskedOpenSet(enrolled: 1...250, maskedThreshold: maskedThreshold) { record($0, $1) }
        var tallies: [String: MaskedOpenSet.Tally] = [:]
        for (name, masked, sfaceOnly) in [("masked", true, false), ("masked_sface_only", true, true), ("unmasked", false, false)] {
            var tally = MaskedOpenSet.Tally()
            for id in 1...500 {
                for n in (id <= 250 ? 6...10 : 1...10) {
                    let probe = record(id, n).flatMap(masked ? MaskedOpenSet.maskedProbe : MaskedOpenSet.cleanProbe)
                    await tally.add(probe.map { sfaceOnly ? MaskedOpenSet.sfaceOnly($0) : $0 }, expected: id <= 250 ? evaluation.personIDs[id] ?? -1 : nil,
                                    in: evaluation.gallery)
                }
            }
            tallies[name] = tally
        }
        evaluation.remove()
        lines.append(String(format: "CFP identification (001-250 enrolled unmasked from frontal 01-05; frontal 06-10 searched; 251-500 as strangers), masked threshold %.4f, gallery threshold %.4f:",
                            maskedThreshold, Gallery.defaultThreshold))
        for (name, title) in [("masked", "synthetic-masked probes, mask-aware"), ("masked_sface_only", "synthetic-masked probes, SFace only (as before)"),
                              ("unmasked", "unmasked probes")] {
            lines.append("  \(title): " + tallies[name]!.text)
        }
        sections.append(("cfp_identification", .object([("masked_threshold", .number(maskedThreshold, decimals: 4)),
                                                        ("gallery_threshold", .number(Gallery.defaultThreshold, decimals: 4))]
                                                       + ["masked", "masked_sface_only", "unmasked"].map { ($0, tallies[$0]!.json) })))

        // Real masks.
        let root = Eval.dataFolder(folders, "masked-people")
        if FileManager.default.fileExists(atPath: root) {
            let real = try await MaskedPeopleOpenSet.run(root: root, analyzer: analyzer, maskedThreshold: maskedThreshold)
            lines.append(contentsOf: real.lines)
            sections.append(("masked_people", real.json))
        } else {
            lines.append("masked-people: \(root) is missing; skipped")
        }

        let json = JSONValue.object(sections)
        try Eval.writeReport([("report.json", Data((json.rendered + "\n").utf8)), ("report.txt", Data((lines.joined(separator: "\n") + "\n").utf8))],
                             to: output)
        print(global.json ? json.rendered : lines.joined(separator: "\n") + "\nwritten to \(output)/report.txt, report.json")
    }
}

/// A gallery of CFP identities enrolled from their unmasked frontal photos 01–05 through the
/// ``Gallery`` API (SFace and attention-head templates, mask call), in a temporary file.
struct MaskedOpenSet {
    let gallery: Gallery
    let personIDs: [Int: Int64]
    private let file: URL

    init(enrolled: ClosedRange<Int>, maskedThreshold: Float = Gallery.defaultMaskedThreshold,
         record: (Int, Int) -> MaskedImageRecord?) async throws {
        file = FileManager.default.temporaryDirectory.appendingPathComponent("visage-masked-\(UUID().uuidString).gallery")
        var configuration = Gallery.Configuration()
        configuration.maskedThreshold = maskedThreshold
        configuration.auditsIdentifications = false
        gallery = try await Gallery.open(file.path, configuration: configuration)
        var ids: [Int: Int64] = [:]
        for id in enrolled {
            let templates = (1...5).compactMap { n -> Template? in
                guard let r = record(id, n), let clean = r.clean else { return nil }
                return Template(embedding: clean, model: Gallery.embeddingModel, maskedFaceEmbedding: r.cleanHead,
                                maskedFaceModel: Gallery.maskedFaceModel, masked: r.cleanMaskProbability.map { $0 >= 0.5 })
            }
            guard !templates.isEmpty else { continue }
            ids[id] = try await gallery.enroll(name: String(format: "%03d", id), templates: templates).0.id
        }
        personIDs = ids
    }

    /// The photo with its synthetic mask, as the pipeline measured it; nil without a face.
    static func maskedProbe(_ r: MaskedImageRecord) -> Gallery.Probe? {
        r.masked.map { Gallery.Probe(embedding: $0, maskedFaceEmbedding: r.maskedHead, masked: r.maskedMaskProbability.map { $0 >= 0.5 }) }
    }

    static func cleanProbe(_ r: MaskedImageRecord) -> Gallery.Probe? {
        r.clean.map { Gallery.Probe(embedding: $0, maskedFaceEmbedding: r.cleanHead, masked: r.cleanMaskProbability.map { $0 >= 0.5 }) }
    }

    /// The probe as a gallery without masked matching searched it: SFace at the gallery threshold.
    static func sfaceOnly(_ probe: Gallery.Probe) -> Gallery.Probe { Gallery.Probe(embedding: probe.embedding) }

    func remove() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) }
    }

    /// Genuine searches (rank-1, identified at the threshold) and stranger searches (rejected).
    struct Tally {
        var genuine = 0, genuineNoFace = 0, rank1 = 0, identified = 0
        var strangers = 0, strangersNoFace = 0, rejected = 0
        var byAttentionHead = 0, searches = 0

        /// `expected`: the person the probe shows, nil for a stranger. A probe without a face
        /// counts as a miss for a genuine search and as rejected for a stranger.
        mutating func add(_ probe: Gallery.Probe?, expected: Int64?, in gallery: Gallery) async {
            if expected != nil { genuine += 1 } else { strangers += 1 }
            guard let probe else {
                if expected != nil { genuineNoFace += 1 } else { strangersNoFace += 1; rejected += 1 }
                return
            }
            let answer = await gallery.search(probe, topK: 1)
            searches += 1
            if answer.method == .attentionHead { byAttentionHead += 1 }
            if let expected {
                if answer.candidates.first?.personID == expected { rank1 += 1 }
                if answer.match?.personID == expected { identified += 1 }
            } else if answer.match == nil {
                rejected += 1
            }
        }

        static func pct(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) * 100 / Double(b) }

        var text: String {
            String(format: "rank-1 %.2f%%, identified at threshold %.2f%% of %d (%d without face); strangers rejected %.2f%% of %d (%d without face); %d of %d searches through the attention head",
                   Self.pct(rank1, genuine), Self.pct(identified, genuine), genuine, genuineNoFace, Self.pct(rejected, strangers), strangers, strangersNoFace,
                   byAttentionHead, searches)
        }

        var json: JSONValue {
            .object([("genuine_searches", .integer(genuine)), ("genuine_no_face", .integer(genuineNoFace)),
                     ("rank1", .number(Self.pct(rank1, genuine), decimals: 2)), ("identified_at_threshold", .number(Self.pct(identified, genuine), decimals: 2)),
                     ("stranger_searches", .integer(strangers)), ("strangers_no_face", .integer(strangersNoFace)),
                     ("strangers_rejected", .number(Self.pct(rejected, strangers), decimals: 2)),
                     ("through_attention_head", .integer(byAttentionHead)), ("searches", .integer(searches))])
        }
    }
}

/// masked-people as a gallery: each person enrolled from the first half of their unmasked
/// photos; their masked photos and the other half of the unmasked ones searched; and, with
/// each person left out of the gallery in turn, their photos searched as a stranger's.
struct MaskedPeopleOpenSet {
    var lines: [String]
    var json: JSONValue

    static func run(root: String, analyzer: FaceAnalyzer, maskedThreshold: Float) async throws -> MaskedPeopleOpenSet {
        let folders = try MaskedFolders(root: root)
        var probes: [String: Gallery.Probe] = [:]
        let paths = folders.people.flatMap { $0.masked + $0.unmasked }
        for await item in analyzer.analyzeFiles(paths) {
            if case let .success(analyzed) = item.result, let face = analyzed.faces.largest, let probe = Gallery.Probe(face: face) {
                probes[item.path] = probe
            }
        }
        func templates(_ person: MaskedFolders.Person) -> [Template] {
            person.unmasked.prefix((person.unmasked.count + 1) / 2).compactMap { probes[$0] }.map {
                Template(embedding: $0.embedding, model: Gallery.embeddingModel, maskedFaceEmbedding: $0.maskedFaceEmbedding,
                         maskedFaceModel: Gallery.maskedFaceModel, masked: $0.masked)
            }
        }
        func gallery(leaving out: String?) async throws -> (Gallery, [String: Int64], URL) {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("visage-masked-people-\(UUID().uuidString).gallery")
            var configuration = Gallery.Configuration()
            configuration.maskedThreshold = maskedThreshold
            configuration.auditsIdentifications = false
            let gallery = try await Gallery.open(file.path, configuration: configuration)
            var ids: [String: Int64] = [:]
            for person in folders.people where person.name != out {
                let t = templates(person)
                if !t.isEmpty { ids[person.name] = try await gallery.enroll(name: person.name, templates: t).0.id }
            }
            return (gallery, ids, file)
        }
        func remove(_ file: URL) { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file.path + suffix) } }

        var masked = MaskedOpenSet.Tally(), maskedSFace = MaskedOpenSet.Tally(), unmasked = MaskedOpenSet.Tally()
        let (everyone, ids, file) = try await gallery(leaving: nil)
        for person in folders.people {
            for path in person.masked {
                await masked.add(probes[path], expected: ids[person.name] ?? -1, in: everyone)
                await maskedSFace.add(probes[path].map(MaskedOpenSet.sfaceOnly), expected: ids[person.name] ?? -1, in: everyone)
            }
            for path in person.unmasked.dropFirst((person.unmasked.count + 1) / 2) {
                await unmasked.add(probes[path], expected: ids[person.name] ?? -1, in: everyone)
            }
        }
        remove(file)
        var maskedMaxima: [Float] = []
        for person in folders.people {
            let (without, _, file) = try await gallery(leaving: person.name)
            for path in person.masked {
                await masked.add(probes[path], expected: nil, in: without)
                await maskedSFace.add(probes[path].map(MaskedOpenSet.sfaceOnly), expected: nil, in: without)
                if let probe = probes[path] {
                    let answer = await without.search(probe, topK: 1)
                    if answer.method == .attentionHead, let best = answer.bestSimilarity { maskedMaxima.append(best) }
                }
            }
            for path in person.unmasked { await unmasked.add(probes[path], expected: nil, in: without) }
            remove(file)
        }
        let sorted = maskedMaxima.sorted(by: >)
        let lines = [
            String(format: "masked-people (%@: %d people; enrolled unmasked from the first half of their unmasked photos; strangers: each person left out in turn), masked threshold %.4f:",
                   root, folders.people.count, maskedThreshold),
            "  real-masked probes, mask-aware: " + masked.text,
            "  real-masked probes, SFace only (as before): " + maskedSFace.text,
            "  unmasked probes (other half): " + unmasked.text,
            String(format: "  stranger maxima through the attention head: %d, highest %@", sorted.count,
                   sorted.prefix(5).map { String(format: "%.4f", $0) }.joined(separator: ", ")),
        ]
        return MaskedPeopleOpenSet(lines: lines, json: .object([
            ("root", .string(root)), ("people", .integer(folders.people.count)), ("masked_threshold", .number(maskedThreshold, decimals: 4)),
            ("masked", masked.json), ("masked_sface_only", maskedSFace.json), ("unmasked", unmasked.json),
            ("stranger_maxima_attention_head", .array(sorted.prefix(10).map { .number($0, decimals: 4) })),
        ]))
    }
}
