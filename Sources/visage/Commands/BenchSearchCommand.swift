import VisageCore
import ArgumentParser
import VisageJSON
import Foundation
import VisageGallery

struct BenchSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Measure top-k search latency over N random vectors, exact and compact, and the compact variant's recall.",
        discussion: """
        The index holds --size random unit vectors (Gaussian, normalised; seeded), and the \
        queries are other random unit vectors. Random vectors are fine for latency, which does \
        not depend on the values; for recall they are a hard case, as their similarities \
        crowd near zero and the top 10 are separated by hundredths. Recall@k is the share of \
        the exact float32 top-k that the compact search also returns. Build with \
        `-c release`: a debug build is ~50× slower.

        Examples:
          visage bench search --size 1000000
          visage bench search --size 100000 --queries 200 --json
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Vectors in the index (default: 1000000).")
    var size = 1_000_000

    @Option(help: "Dimensions (default: 128, SFace).")
    var dimension = 128

    @Option(help: "Timed queries per mode (default: 100).")
    var queries = 100

    @Option(name: .customLong("k"), help: "Neighbours per query (default: 10).")
    var k = 10

    @Option(help: "Tasks a search is split into (default: one per core).")
    var parallelism = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Random seed (default: 42).")
    var seed: UInt64 = 42

    func validate() throws {
        if size < 1 || dimension < 1 || queries < 1 || k < 1 || parallelism < 1 {
            throw ValidationError("--size, --dimension, --queries, --k and --parallelism must be at least 1.")
        }
    }

    func run() async throws {
        var random = SeededGenerator(seed: seed)
        let clock = ContinuousClock()
        var index = VectorIndex(dimension: dimension, parallelism: parallelism)
        index.reserveCapacity(size)
        let buildStart = clock.now
        for _ in 0..<size { index.append(random.unitVector(dimension)) }
        let build = (clock.now - buildStart).seconds
        let queryVectors = (0..<queries).map { _ in random.unitVector(dimension) }

        var rows: [(String, JSONValue)] = []
        var text = [String(format: "index: %d × %d random unit vectors, built in %.1f s, %.0f MB (float32 + int8); %d queries, top-%d, %d tasks",
                           size, dimension, build, Double(index.memoryBytes) / 1e6, queries, k, parallelism)]
        var exact: [[VectorIndex.Hit]] = []
        for (name, mode) in [("exact", VectorIndex.Mode.exact), ("compact", .compact), ("int8", .int8)] {
            _ = index.search(queryVectors[0], k: k, mode: mode)  // warm-up: page in the rows
            var latencies: [Double] = []
            var results: [[VectorIndex.Hit]] = []
            for query in queryVectors {
                let start = clock.now
                let hits = index.search(query, k: k, mode: mode)
                latencies.append((clock.now - start).seconds * 1000)
                results.append(hits)
            }
            if name == "exact" { exact = results }
            let recall = zip(results, exact).map { got, truth in
                Double(Set(got.map(\.row)).intersection(truth.map(\.row)).count) / Double(truth.count)
            }.reduce(0, +) / Double(queries)
            latencies.sort()
            let median = latencies[latencies.count / 2], p95 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.95))]
            let mean = latencies.reduce(0, +) / Double(latencies.count)
            rows.append((name, .object([("median_ms", .number(median, decimals: 2)), ("p95_ms", .number(p95, decimals: 2)),
                                        ("mean_ms", .number(mean, decimals: 2)), ("recall_at_k", .number(recall, decimals: 4))])))
            text.append(String(format: "  %-8@ median %7.2f ms  p95 %7.2f ms  mean %7.2f ms  recall@%d %.4f", name, median, p95, mean, k, recall))
        }
        if global.json {
            print(JSONValue.object([("size", .integer(size)), ("dimension", .integer(dimension)), ("queries", .integer(queries)),
                                    ("k", .integer(k)), ("parallelism", .integer(parallelism)), ("data", .string("random unit vectors")),
                                    ("modes", .object(rows))]).rendered)
        } else {
            print(text.joined(separator: "\n"))
        }
    }
}

extension SeededGenerator {
    /// A Gaussian vector (Box–Muller), normalised.
    mutating func unitVector(_ dimension: Int) -> [Float] {
        var v = [Float](repeating: 0, count: dimension)
        var i = 0
        while i < dimension {
            let u1 = max(Float(next() >> 40) / Float(1 << 24), 1e-7), u2 = Float(next() >> 40) / Float(1 << 24)
            let r = (-2 * log(u1)).squareRoot()
            v[i] = r * cos(2 * .pi * u2)
            if i + 1 < dimension { v[i + 1] = r * sin(2 * .pi * u2) }
            i += 2
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }
}
