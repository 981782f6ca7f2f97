import ArgumentParser
import Foundation
import Visage
import VisageGallery

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure accuracy on a named data set.",
        discussion: """
        Examples:
          visage eval identification --cfp ../shared/data/cfp
          visage eval identification --cfp ../shared/data/cfp --threshold 0.35 --json
        """,
        subcommands: [Identification.self]
    )

    struct Identification: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "identification",
            abstract: "Open-set identification on CFP: rank-1 accuracy and stranger rejection at a threshold.",
            discussion: """
            Enrols CFP identities 001–250 from frontal photos 01–05 into a temporary gallery, then \
            searches with their frontal photos 06–10 and their 4 profiles (rank-1 accuracy, and \
            the share identified correctly at or above the threshold), and with every photo of \
            identities 251–500 as strangers (the share rejected as unknown). Photos without a \
            detected face count as failures. Embeddings are shared with `visage calibrate` \
            through the cache folder.

            Examples:
              visage eval identification --cfp ../shared/data/cfp
              visage eval identification --cfp ../shared/data/cfp --threshold 0.35 --json
            """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: ArgumentHelp("The CFP folder (default: $VISAGE_DATA/cfp or ../shared/data/cfp).", valueName: "dir"))
        var cfp: String?

        @Option(help: ArgumentHelp("Embedding cache folder (default: out/calibration).", valueName: "dir"))
        var cache = "out/calibration"

        @Option(help: "Identification threshold (default: the gallery's calibrated default).")
        var threshold: Float = Gallery.defaultThreshold

        @Option(help: "Search mode: exact (float32) or compact (int8 scan, float32 re-rank).")
        var mode = "exact"

        func run() async throws {
            let data = try CFPDataset(path: cfp ?? CalibrateCommand.defaultCFP)
            let analyzer = try FaceAnalyzer(configuration: global.analyzerConfiguration(tasks: [.embedding]))
            let embeddings = try await data.embeddings(analyzer: analyzer, cacheDirectory: cache, quiet: global.json)
            let openSet = try await CFPOpenSet(embeddings: embeddings, enrolled: 1...250, threshold: threshold, compact: mode == "compact")
            defer { openSet.remove() }

            struct Tally { var searches = 0, noFace = 0, rank1 = 0, identified = 0, rejected = 0 }
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
            let frontal = await run(1...250, (6...10).map { ("frontal", $0) }, enrolled: true)
            let profile = await run(1...250, (1...4).map { ("profile", $0) }, enrolled: true)
            let strangerFrontal = await run(251...500, (1...10).map { ("frontal", $0) }, enrolled: false)
            let strangerProfile = await run(251...500, (1...4).map { ("profile", $0) }, enrolled: false)
            let strangers = Tally(searches: strangerFrontal.searches + strangerProfile.searches, noFace: strangerFrontal.noFace + strangerProfile.noFace,
                                  rejected: strangerFrontal.rejected + strangerProfile.rejected)

            func pct(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) * 100 / Double(b) }
            // A stranger with no detected face is not reported as anyone: count it as rejected.
            func rejection(_ t: Tally) -> Double { pct(t.rejected + t.noFace, t.searches) }
            if global.json {
                func genuine(_ t: Tally) -> JSONValue {
                    .object([("searches", .integer(t.searches)), ("no_face", .integer(t.noFace)),
                             ("rank1_accuracy", .number(pct(t.rank1, t.searches), decimals: 2)),
                             ("identified_at_threshold", .number(pct(t.identified, t.searches), decimals: 2))])
                }
                func stranger(_ t: Tally) -> JSONValue {
                    .object([("searches", .integer(t.searches)), ("no_face", .integer(t.noFace)),
                             ("rejection_rate", .number(rejection(t), decimals: 2))])
                }
                print(JSONValue.object([
                    ("dataset", .string("CFP")), ("enrolled", .integer(openSet.personIDs.count)),
                    ("threshold", .number(threshold, decimals: 4)), ("mode", .string(mode)),
                    ("frontal_06_10", genuine(frontal)), ("profile", genuine(profile)),
                    ("strangers", stranger(strangers)), ("strangers_frontal", stranger(strangerFrontal)), ("strangers_profile", stranger(strangerProfile)),
                ]).rendered)
            } else {
                print(String(format: "CFP open-set identification: %d people enrolled (frontal 01-05), threshold %.4f, %@ search", openSet.personIDs.count, threshold, mode))
                for (name, t) in [("frontal 06-10", frontal), ("profile 01-04", profile)] {
                    print(String(format: "  %@: %d searches, rank-1 %.2f%%, identified at threshold %.2f%% (%d without face)", name, t.searches, pct(t.rank1, t.searches), pct(t.identified, t.searches), t.noFace))
                }
                for (name, t) in [("strangers 251-500, all photos", strangers), ("  of which frontal", strangerFrontal), ("  of which profile", strangerProfile)] {
                    print(String(format: "  %@: %d searches, rejected as unknown %.2f%% (%d without face)", name, t.searches, rejection(t), t.noFace))
                }
            }
        }
    }
}
