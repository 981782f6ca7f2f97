import ArgumentParser
import Foundation
import Visage
import VisageJSON
import VisageDataset
import VisageModels

struct DatasetCleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Find mislabelled images, duplicate identities and faceless images in an identity-folder dataset.",
        discussion: """
        Embeds every image (largest face) into CACHE/embeddings-<i>-of-<n>.tsv, reusing what is \
        there, then cleans iteratively: per identity, images whose similarity to the other \
        images' mean falls below clamp(median − k·1.4826·MAD, floor, ceiling) are flagged and \
        the centre is re-estimated without them, until a round flags nothing; identity centres \
        closer than --duplicate-threshold are reported as likely duplicates. Images without a \
        face, with several faces or unreadable are reported too. DIR is never written to.

        With --shard i/n (0-based) only that shard is embedded and the command stops: run n of \
        those as batch jobs into one CACHE folder, then run once without --shard to merge and \
        clean. docs/dataset-cleaning.md has the Kubernetes and Slurm recipes and the measured \
        precision and recall. Exit code 3 when some image could not be read.

        Examples:
          visage dataset clean /tmp/cfp-noisy --cache out/clean/cfp-noisy --html out/clean/cfp-noisy/html --truth /tmp/cfp-noisy/noisy-manifest.json
          visage dataset clean faces --cache /scratch/faces-cache --shard 3/16
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The dataset, DIR/<identity>/**/*.jpg.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Folder for the embedding cache (one file per shard) and, by default, the report.", valueName: "dir"))
    var cache: String

    @Option(help: ArgumentHelp("Embed only shard i of n (0-based) into the cache and stop.", valueName: "i/n"))
    var shard: String?

    @Option(help: ArgumentHelp("The JSON report (default: <cache>/report.json).", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("Folder for a browsable HTML report with thumbnails (default: none).", valueName: "dir"))
    var html: String?

    @Option(help: ArgumentHelp("Write every suspect image's path (relative to DIR), one a line (default: none).", valueName: "file"))
    var quarantine: String?

    @Option(help: ArgumentHelp("A noisy-copy manifest: score the findings per round against it.", valueName: "file"))
    var truth: String?

    @Option(help: "MAD multiplier k of the outlier threshold.")
    var k: Float = CleaningConfiguration().madMultiplier

    @Option(help: "Absolute floor of the outlier threshold (calibrated on CFP).")
    var floor: Float = CleaningConfiguration().absoluteFloor

    @Option(help: "Similarity at which an image is never an outlier (calibrated on CFP).")
    var ceiling: Float = CleaningConfiguration().absoluteCeiling

    @Option(help: "Absolute floor for turned heads, |yaw| ≥ 0.10 (calibrated on CFP).")
    var turnedFloor: Float = CleaningConfiguration().turnedFloor

    @Option(help: "Ceiling for turned heads (calibrated on CFP).")
    var turnedCeiling: Float = CleaningConfiguration().turnedCeiling

    @Option(help: "Centre similarity from which two identities are reported as duplicates (calibrated on CFP).")
    var duplicateThreshold: Float = CleaningConfiguration().duplicateThreshold

    @Option(help: "Most cleaning rounds.")
    var maxIterations: Int = CleaningConfiguration().maxIterations

    func validate() throws {
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.errorDescription ?? "bad --shard") } }
        for (value, option) in [(k, "--k"), (floor, "--floor"), (ceiling, "--ceiling"), (turnedFloor, "--turned-floor"),
                                (turnedCeiling, "--turned-ceiling"), (duplicateThreshold, "--duplicate-threshold")] {
            try validateFinite(value, option)
        }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be at least 1.") }
        guard floor <= ceiling, turnedFloor <= turnedCeiling else { throw ValidationError("--floor must not be above --ceiling (nor --turned-floor above --turned-ceiling).") }
    }

    var cleaningConfiguration: CleaningConfiguration {
        var c = CleaningConfiguration()
        c.madMultiplier = k
        c.absoluteFloor = floor
        c.absoluteCeiling = ceiling
        c.turnedFloor = turnedFloor
        c.turnedCeiling = turnedCeiling
        c.duplicateThreshold = duplicateThreshold
        c.maxIterations = maxIterations
        return c
    }

    func run() async throws {
        var unreadable = 0
        try await DatasetTool.run {
            for output in [cache, report, html, quarantine] { try DatasetTool.requireOutside(output, of: directory) }
            for folder in [cache, html].compactMap(\.self) { try FileInPlaceOfFolder.check(folder) }  // before the models load
            let manifest = try truth.map(NoisyManifest.load)
            let listing = try DatasetWalker(root: directory).walk()
            for folder in listing.unreadableFolders { printError("\(folder.path): \(folder.reason); its images are skipped") }
            let analyzer = try global.makeAnalyzer(tasks: [.embedding])
            let store = EmbeddingStore(folder: cache, root: directory, models: analyzer.configuration.models.url.path)
            let shard = try shard.map(Shard.init(parsing:)) ?? .all
            var progress = Progress()
            let embedding = try await DatasetEmbedder(analyzer: analyzer, store: store)
                .embed(listing.images, shard: shard) { progress.update($0, $1, $2) }
            progress.finish()
            let rate = embedding.embedded > 0 ? String(format: ", %.1f images/s", embedding.imagesPerSecond) : ""
            printError("shard \(shard): \(embedding.inShard) images, \(embedding.cached) cached, \(embedding.embedded) embedded\(rate), \(embedding.errors) unreadable")
            if self.shard != nil { return }

            let records = try store.loadAll()
            let samples = listing.images.compactMap { records[$0.relativePath].map(CleaningSample.init) }
            let result = DatasetCleaner(configuration: cleaningConfiguration).clean(samples)
            let scores = manifest.map { CleaningScore.rows(result, truth: $0) }
            let calibration = manifest.map { m in
                let truthByPath = m.trueIdentity
                return CleaningCalibration(samples: samples, turnedYaw: cleaningConfiguration.turnedYaw) { truthByPath[$0.path] ?? $0.identity }
            }
            unreadable = result.suspects.filter { $0.reason == .unreadable }.count
            let json = reportJSON(result, listing: listing, samples: samples, embedding: embedding, scores: scores, calibration: calibration)
            let reportPath = report ?? cache + "/report.json"
            try write(json.rendered + "\n", to: reportPath)
            if let quarantine {
                let paths = Set(result.suspects.map(\.path)).sorted()
                try write(paths.map { $0 + "\n" }.joined(), to: quarantine)
            }
            var page: String?
            if let html {
                var htmlReport = HTMLReport(root: directory, result: result, records: records)
                htmlReport.stats = htmlStats(result, listing: listing)
                page = try htmlReport.write(to: html)
            }
            if global.json {
                print(json.rendered)
            } else {
                printSummary(result, listing: listing)
                if let scores { print(Self.scoreTable(scores)) }
                if let calibration { print(Self.calibrationText(calibration, cleaningConfiguration)) }
                print("report: \(reportPath)" + (page.map { ", html: \($0)" } ?? "") + (quarantine.map { ", quarantine list: \($0)" } ?? ""))
            }
        }
        if unreadable > 0 { throw VisageExitCode.badInput }
    }

    private func write(_ text: String, to path: String) throws(DatasetError) {
        do {
            // A bare file name (`--report report.json`) has no folder to make: creating "" fails.
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch { throw .unwritable(path: path, reason: error.localizedDescription) }
    }

    private func count(_ result: CleaningResult, _ reason: Suspect.Reason) -> Int { result.suspects.filter { $0.reason == reason }.count }

    private func printSummary(_ result: CleaningResult, listing: DatasetWalker.Listing) {
        print("\(listing.images.count) images in \(listing.identities.count) identities; \(result.iterations.count) rounds")
        for round in result.iterations {
            print("  round \(round.iteration): \(round.newOutliers) new outliers, \(round.duplicates.count) duplicate pairs")
        }
        print("suspects: \(count(result, .outlier)) outliers, \(count(result, .noFace)) without a face, \(count(result, .severalFaces)) with several faces, \(count(result, .unreadable)) unreadable")
        print("duplicates: \(result.duplicates.count) pairs" + result.duplicates.prefix(5).map { String(format: " %@⇄%@ %.3f", $0.a, $0.b, $0.similarity) }.joined())
    }

    private func htmlStats(_ result: CleaningResult, listing: DatasetWalker.Listing) -> [(String, String)] {
        let c = cleaningConfiguration
        return [
            ("images", "\(listing.images.count)"), ("identities", "\(listing.identities.count)"), ("rounds", "\(result.iterations.count)"),
            ("outliers", "\(count(result, .outlier))"), ("without a face", "\(count(result, .noFace))"),
            ("several faces", "\(count(result, .severalFaces))"), ("unreadable", "\(count(result, .unreadable))"),
            ("duplicate pairs", "\(result.duplicates.count)"),
            ("outlier threshold", String(format: "clamp(median − %.1f·1.4826·MAD, %.2f, %.2f); turned heads (|yaw| ≥ %.2f): clamp(…, %.2f, %.2f)",
                                         c.madMultiplier, c.absoluteFloor, c.absoluteCeiling, c.turnedYaw, c.turnedFloor, c.turnedCeiling)),
            ("duplicate threshold", String(format: "%.2f", c.duplicateThreshold)),
        ]
    }

    private func reportJSON(_ result: CleaningResult, listing: DatasetWalker.Listing, samples: [CleaningSample], embedding: DatasetEmbedder.Summary,
                            scores: [CleaningScore]?, calibration: CleaningCalibration?) -> JSONValue {
        let c = cleaningConfiguration
        let suspects = result.suspects.map { s -> JSONValue in
            var fields: [(String, JSONValue)] = [("path", .string(s.path)), ("identity", .string(s.identity)), ("reason", .string(s.reason.rawValue)),
                                                 ("score", s.score.map { .number($0, decimals: 4) } ?? .null), ("iteration", .integer(s.iteration))]
            if let d = s.detail { fields.append(("detail", .string(d))) }
            return .object(fields)
        }
        let duplicates = result.duplicates.map { JSONValue.object([("a", .string($0.a)), ("b", .string($0.b)), ("similarity", .number($0.similarity, decimals: 4))]) }
        var stats: [(String, JSONValue)] = [
            ("images", .integer(listing.images.count)), ("identities", .integer(listing.identities.count)),
            ("with_face", .integer(samples.filter { $0.embedding != nil }.count)),
            ("outliers", .integer(count(result, .outlier))), ("no_face", .integer(count(result, .noFace))),
            ("several_faces", .integer(count(result, .severalFaces))), ("unreadable", .integer(count(result, .unreadable))),
            ("duplicates", .integer(result.duplicates.count)),
            ("iterations", .array(result.iterations.map { .object([("iteration", .integer($0.iteration)), ("new_outliers", .integer($0.newOutliers)),
                                                                   ("duplicates", .integer($0.duplicates.count))]) })),
            ("configuration", .object([("k", .number(c.madMultiplier)), ("floor", .number(c.absoluteFloor)), ("ceiling", .number(c.absoluteCeiling)),
                                       ("turned_yaw", .number(c.turnedYaw)), ("turned_floor", .number(c.turnedFloor)), ("turned_ceiling", .number(c.turnedCeiling)),
                                       ("duplicate_threshold", .number(c.duplicateThreshold)), ("max_iterations", .integer(c.maxIterations)),
                                       ("minimum_images", .integer(c.minimumImages)), ("max_removal_fraction", .number(c.maxRemovalFraction)),
                                       ("several_faces_ratio", .number(c.severalFacesRatio))])),
            ("embedding", .object([("embedded", .integer(embedding.embedded)), ("cached", .integer(embedding.cached)),
                                   ("seconds", .number(Float(embedding.seconds), decimals: 1)),
                                   ("images_per_second", .number(Float(embedding.imagesPerSecond), decimals: 2))])),
        ]
        if let scores {
            stats.append(("scores", .array(scores.map { s in
                .object([("iteration", .integer(s.iteration)),
                         ("outliers", .object([("flagged", .integer(s.outliersFlagged)), ("correct", .integer(s.outliersCorrect)), ("planted", .integer(s.outliersPlanted)),
                                               ("precision", .number(Float(s.outlierPrecision))), ("recall", .number(Float(s.outlierRecall)))])),
                         ("duplicates", .object([("flagged", .integer(s.duplicatesFlagged)), ("correct", .integer(s.duplicatesCorrect)), ("planted", .integer(s.duplicatesPlanted)),
                                                 ("precision", .number(Float(s.duplicatePrecision))), ("recall", .number(Float(s.duplicateRecall)))]))])
            })))
        }
        if let calibration {
            func summary(_ d: CleaningCalibration.Distribution) -> JSONValue {
                .object([("count", .integer(d.count)), ("min", .number(d.min)), ("p0.1", .number(d.quantile(0.001))), ("p1", .number(d.quantile(0.01))),
                         ("p5", .number(d.quantile(0.05))), ("median", .number(d.quantile(0.5))), ("p99", .number(d.quantile(0.99))),
                         ("p99.9", .number(d.quantile(0.999))), ("max", .number(d.max))])
            }
            stats.append(("calibration", .object([
                ("duplicate_genuine_halves", summary(calibration.duplicateGenuine)), ("duplicate_impostor_centres", summary(calibration.duplicateImpostor)),
                ("outlier_genuine_loo", summary(calibration.outlierGenuine)), ("outlier_impostor_centre", summary(calibration.outlierImpostor)),
                ("outlier_genuine_loo_frontal", summary(calibration.outlierGenuineFrontal)), ("outlier_impostor_centre_frontal", summary(calibration.outlierImpostorFrontal)),
                ("outlier_genuine_loo_turned", summary(calibration.outlierGenuineTurned)), ("outlier_impostor_centre_turned", summary(calibration.outlierImpostorTurned)),
            ])))
        }
        return .object([("suspects", .array(suspects)), ("duplicates", .array(duplicates)), ("stats", .object(stats))])
    }

    static func scoreTable(_ rows: [CleaningScore]) -> String {
        func pct(_ v: Double) -> String { v.isNaN ? "–" : String(format: "%.1f%%", v * 100) }
        var lines = ["| round | outliers flagged | correct | precision | recall | duplicate pairs | correct | precision | recall |",
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows {
            lines.append("| \(r.iteration) | \(r.outliersFlagged) | \(r.outliersCorrect) | \(pct(r.outlierPrecision)) | \(pct(r.outlierRecall)) (of \(r.outliersPlanted)) | \(r.duplicatesFlagged) | \(r.duplicatesCorrect) | \(pct(r.duplicatePrecision)) | \(pct(r.duplicateRecall)) (of \(r.duplicatesPlanted)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func calibrationText(_ c: CleaningCalibration, _ config: CleaningConfiguration) -> String {
        func line(_ name: String, _ d: CleaningCalibration.Distribution) -> String {
            String(format: "  %@ (n=%d): min %.3f  p0.1 %.3f  p1 %.3f  median %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                   name, d.count, d.min, d.quantile(0.001), d.quantile(0.01), d.quantile(0.5), d.quantile(0.99), d.quantile(0.999), d.max)
        }
        return ["calibration with the true identities:",
                line("duplicates, genuine (identity split in two halves)", c.duplicateGenuine),
                line("duplicates, impostor (centres of two identities) ", c.duplicateImpostor),
                line("outliers, genuine (image vs own leave-one-out centre)", c.outlierGenuine),
                line("outliers, impostor (image vs another identity's centre)", c.outlierImpostor),
                line("outliers, genuine, frontal", c.outlierGenuineFrontal), line("outliers, impostor, frontal", c.outlierImpostorFrontal),
                line("outliers, genuine, turned head", c.outlierGenuineTurned), line("outliers, impostor, turned head", c.outlierImpostorTurned),
                String(format: "  at duplicate threshold %.2f: %.2f%% of split halves found, %.4f%% of impostor centre pairs above",
                       config.duplicateThreshold, c.duplicateGenuine.fraction(atLeast: config.duplicateThreshold) * 100,
                       c.duplicateImpostor.fraction(atLeast: config.duplicateThreshold) * 100),
                String(format: "  below floor %.2f: %.2f%% of genuine, %.2f%% of impostor; below ceiling %.2f: %.2f%% of genuine, %.2f%% of impostor",
                       config.absoluteFloor, (1 - c.outlierGenuine.fraction(atLeast: config.absoluteFloor)) * 100,
                       (1 - c.outlierImpostor.fraction(atLeast: config.absoluteFloor)) * 100, config.absoluteCeiling,
                       (1 - c.outlierGenuine.fraction(atLeast: config.absoluteCeiling)) * 100, (1 - c.outlierImpostor.fraction(atLeast: config.absoluteCeiling)) * 100),
        ].joined(separator: "\n")
    }
}
