import VisageCore
import ArgumentParser
import VisageJSON
import Foundation
import Dispatch
import VisageGallery

struct BenchSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Measure top-k search latency, recall against exact float32, build time and memory of the gallery index.",
        discussion: """
        The index holds --size synthetic unit vectors, appended in batches of 100,000 as a \
        gallery loads them; up to --threshold rows it is flat (modes exact, compact, int8), \
        above it an inverted file (IVF: modes ivf-p<probes> for each --probes value, int8 codes \
        of the nearest lists; fast-c<candidates> for each --candidates value, the 4-bit \
        fast-scan codes of every list (or of the --fast-probes nearest) and that many candidates \
        re-ranked from the int8 codes; automatic, the gallery's default (fast scan, \
        \(VectorIndex.defaultFastScanCandidates) candidates); and all-lists, which scans every list's int8 codes). \
        Build time is the appends alone (the switch to \
        the inverted file, k-means included); generating the data and the ground truth is not \
        counted. The ground truth is an exact float32 scan of every generated row, computed \
        while the rows stream past, so no float32 copy of the gallery is kept.

        --data random: Gaussian unit vectors, queries likewise. No cluster structure: the \
        worst case for an IVF, whose lists then say little about where a neighbour is, and \
        a hard one for recall, as the similarities crowd near zero. --data identities: \
        identities are random unit centres, each with --per-identity templates at cosine \
        sqrt(U(0.6, 0.8)) to their centre (so two templates of one person score 0.6–0.8, as \
        SFace does), and each query is a new template of a random enrolled identity. The \
        rest of its top-k are other people, as random as in --data random. Same-identity \
        recall is the share of the query's own templates among the exact top-k that a mode \
        also returns. Recall@k is the share of the exact float32 top-k a mode returns. \
        Memory: the index's own bytes, and the process's VmRSS and VmHWM after the build. \
        cpu: the median CPU time of a search summed over its tasks (the process's CPU clock), \
        which other jobs on the machine inflate far less than the wall-clock latencies. \
        Build with `-c release`: a debug build is ~50× slower.

        Examples:
          visage bench search --size 1000000
          visage bench search --size 10000000 --data identities --probes 32,64,128
          visage bench search --size 1000000 --threshold 999999 --candidates 1024,4096 --probes 64
          visage bench search --size 200000 --layout inverted --json
        """
    )

    enum DataKind: String, ExpressibleByArgument, CaseIterable {
        case random, identities
    }

    enum LayoutChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, flat, inverted
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Vectors in the index.")
    var size = 1_000_000

    @Option(help: "Dimensions (the default is SFace's).")
    var dimension = 128

    @Option(help: "Timed queries per mode.")
    var queries = 100

    @Option(name: .customLong("k"), help: "Neighbours per query.")
    var k = 10

    @Option(help: "Tasks a search is split into (one per core).")
    var parallelism = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Option(help: "Synthetic data: random or identities.")
    var data: DataKind = .random

    @Option(help: "Templates per identity with --data identities.")
    var perIdentity = 5

    @Option(help: "auto (flat up to --threshold rows, inverted above), flat, or inverted.")
    var layout: LayoutChoice = .auto

    @Option(help: "Rows above which the index is an inverted file (default: \(VectorIndex.defaultInvertedThreshold)).")
    var threshold = VectorIndex.defaultInvertedThreshold

    @Option(help: "Lists of the inverted file (default: \(VectorIndex.defaultListCount)).")
    var lists = VectorIndex.defaultListCount

    @Option(help: "Lists scanned per inverted search, comma-separated, one mode each.")
    var probes = "16,64,256,512"

    @Option(help: "Candidates a fast scan re-ranks, comma-separated, one mode each.")
    var candidates = "1024,4096"

    @Option(help: "Lists a fast scan reads (default: all).")
    var fastProbes: Int?

    @Option(help: "Sub-spaces of the 4-bit fast-scan codes (even; default: dimension / 2, at most 128).")
    var subspaces: Int?

    func validate() throws {
        if size < 1 || dimension < 1 || queries < 1 || k < 1 || parallelism < 1 || perIdentity < 1 || threshold < 1 || lists < 1 {
            throw ValidationError("--size, --dimension, --queries, --k, --parallelism, --per-identity, --threshold and --lists must be at least 1.")
        }
        // The index holds --size × --dimension float32s: refuse what cannot fit before allocating
        // (Int.max dimensions crashed, Int.max rows ran until killed). One task per core is the
        // point of --parallelism; Int.max tasks never finished starting.
        let (floats, overflow) = size.multipliedReportingOverflow(by: dimension)
        let memory = ProcessInfo.processInfo.physicalMemory
        if overflow || UInt64(floats) > memory / 4 {
            throw ValidationError("--size × --dimension float32s do not fit in this machine's \(memory >> 30) GiB of memory.")
        }
        if k > size { throw ValidationError("--k must be at most --size (\(size)).") }
        if parallelism > 4096 { throw ValidationError("--parallelism must be at most 4096 (one task per core).") }
        if data == .identities, size < perIdentity { throw ValidationError("--size must hold at least one identity (--per-identity \(perIdentity)).") }
        if probeCounts == nil { throw ValidationError("--probes must be positive whole numbers separated by commas, not '\(probes)'.") }
        if candidateCounts == nil { throw ValidationError("--candidates must be positive whole numbers separated by commas, not '\(candidates)'.") }
        if let fastProbes, fastProbes < 1 { throw ValidationError("--fast-probes must be at least 1.") }
        if let subspaces, subspaces < 2 || subspaces % 2 != 0 || subspaces > 128 || subspaces > 2 * dimension {
            throw ValidationError("--subspaces must be even, 2–128 and at most twice --dimension, not \(subspaces).")
        }
    }

    private var probeCounts: [Int]? { Self.positiveList(probes) }
    private var candidateCounts: [Int]? { Self.positiveList(candidates) }

    private static func positiveList(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let synthetic = SyntheticGallery(kind: data, dimension: dimension, perIdentity: perIdentity, seed: seed, size: size)
        let queryVectors = (0..<queries).map { synthetic.query($0) }
        let effectiveThreshold = switch layout {
        case .auto: threshold
        case .flat: Int.max
        case .inverted: max(1, min(threshold, size - 1))
        }
        var index = VectorIndex(dimension: dimension, parallelism: parallelism, invertedThreshold: effectiveThreshold, lists: lists,
                                fastScanSubspaces: subspaces)
        index.reserveCapacity(size)

        // Stream the rows: generate a batch, fold it into every query's exact top-k, append it.
        var truth = [ExactTopK](repeating: ExactTopK(k), count: queries)
        var build = 0.0, generation = 0.0
        let batch = 100_000
        for start in stride(from: 0, to: size, by: batch) {
            let rows = min(batch, size - start)
            let generated = clock.now
            let block = synthetic.rows(start..<(start + rows), parallelism: parallelism)
            ExactTopK.fold(block, firstRow: start, dimension: dimension, queries: queryVectors, into: &truth, parallelism: parallelism)
            generation += (clock.now - generated).seconds
            let appended = clock.now
            index.append(contentsOf: block)
            build += (clock.now - appended).seconds
        }
        let memory = ProcessMemory.read()

        var modes: [(name: String, mode: VectorIndex.Mode)]
        switch index.layout {
        case .flat:
            modes = [("exact", .exact), ("compact", .compact), ("int8", .int8)]
        case .inverted:
            let fastLists = fastProbes ?? Int.max
            let fastPrefix = fastProbes.map { "fast-p\($0)-c" } ?? "fast-c"
            modes = probeCounts!.map { ("ivf-p\($0)", .inverted(probes: $0, rerankFactor: 4)) }
                + candidateCounts!.map { ("\(fastPrefix)\($0)", .fastScan(probes: fastLists, candidates: $0)) }
                + [("automatic", .automatic), ("all-lists", .compact)]
        }
        let layoutText = switch index.layout {
        case .flat: "flat (float32 + int8)"
        case let .inverted(count): "inverted file, \(count) lists of two-level int8 codes and \(index.fastScanSubspaces) × 4-bit fast-scan codes, k-means \(String(format: "%.1f", index.trainingSeconds ?? 0)) s"
        }

        var rows: [(String, JSONValue)] = []
        var text = [
            String(format: "index: %d × %d %@, %@; %d queries, top-%d, %d tasks", size, dimension, synthetic.description, layoutText, queries, k, parallelism),
            String(format: "build %.1f s (appends; data + exact ground truth %.1f s more); index %.0f MB, process VmRSS %.0f MB, VmHWM %.0f MB",
                   build, generation, Double(index.memoryBytes) / 1e6, memory.rssMB, memory.hwmMB),
        ]
        for (name, mode) in modes {
            _ = index.search(queryVectors[0], k: k, mode: mode)  // warm-up: page in the rows
            var latencies: [Double] = [], cpuTimes: [Double] = []
            var recall = 0.0, ownFound = 0, ownTotal = 0, topOneRight = 0
            for (q, query) in queryVectors.enumerated() {
                let start = clock.now, cpuStart = ProcessMemory.cpuSeconds()
                let hits = index.search(query, k: k, mode: mode)
                latencies.append((clock.now - start).seconds * 1000)
                cpuTimes.append((ProcessMemory.cpuSeconds() - cpuStart) * 1000)
                let exact = truth[q].rows
                let got = Set(hits.map(\.row))
                recall += Double(got.intersection(exact).count) / Double(exact.count)
                if let identity = synthetic.queryIdentity(q) {
                    let own = exact.filter { synthetic.identity(ofRow: $0) == identity }
                    ownTotal += own.count
                    ownFound += own.filter(got.contains).count
                    if let first = hits.first, synthetic.identity(ofRow: first.row) == identity { topOneRight += 1 }
                }
            }
            recall /= Double(queries)
            latencies.sort()
            func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
            let median = latencies[latencies.count / 2], p95 = percentile(0.95), p99 = percentile(0.99)
            let mean = latencies.reduce(0, +) / Double(latencies.count)
            cpuTimes.sort()
            let cpuMedian = cpuTimes[cpuTimes.count / 2]
            var fields: [(String, JSONValue)] = [("median_ms", .number(median, decimals: 2)), ("p95_ms", .number(p95, decimals: 2)),
                                                 ("p99_ms", .number(p99, decimals: 2)), ("mean_ms", .number(mean, decimals: 2)),
                                                 ("cpu_median_ms", .number(cpuMedian, decimals: 2)), ("recall_at_k", .number(recall, decimals: 4))]
            var line = String(format: "  %-13@ median %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  mean %7.2f ms  cpu %7.2f ms  recall@%d %.4f", name, median, p95, p99, mean, cpuMedian, k, recall)
            if data == .identities {
                let own = ownTotal > 0 ? Double(ownFound) / Double(ownTotal) : 1
                let top1 = Double(topOneRight) / Double(queries)
                fields += [("same_identity_recall", .number(own, decimals: 4)), ("top1_identity", .number(top1, decimals: 4))]
                line += String(format: "  same-identity %.4f  top-1 identity %.4f", own, top1)
            }
            rows.append((name, .object(fields)))
            text.append(line)
        }
        if global.json {
            let layoutJSON: JSONValue = switch index.layout {
            case .flat: .string("flat")
            case let .inverted(count): .object([("lists", .integer(count)), ("fast_scan_subspaces", .integer(index.fastScanSubspaces)),
                                                ("training_s", .number(index.trainingSeconds ?? 0, decimals: 2))])
            }
            print(JSONValue.object([("size", .integer(size)), ("dimension", .integer(dimension)), ("queries", .integer(queries)),
                                    ("k", .integer(k)), ("parallelism", .integer(parallelism)), ("data", .string(synthetic.description)),
                                    ("layout", layoutJSON), ("build_s", .number(build, decimals: 2)),
                                    ("index_mb", .number(Double(index.memoryBytes) / 1e6, decimals: 1)),
                                    ("vm_rss_mb", .number(memory.rssMB, decimals: 1)), ("vm_hwm_mb", .number(memory.hwmMB, decimals: 1)),
                                    ("modes", .object(rows))]).rendered)
        } else {
            print(text.joined(separator: "\n"))
        }
    }
}

/// The bench's data, row by row from the seed alone (each row has its own generator), so
/// batches can be made in parallel and nothing but the index holds the gallery.
struct SyntheticGallery: Sendable {
    let kind: BenchSearchCommand.DataKind
    let dimension: Int
    let perIdentity: Int
    let seed: UInt64
    let size: Int

    var description: String {
        switch kind {
        case .random: "random unit vectors"
        case .identities: "templates of \(size / perIdentity) identities (\(perIdentity) each, same-person cosine 0.6–0.8)"
        }
    }

    private func generator(_ stream: UInt64, _ item: Int) -> SeededGenerator {
        SeededGenerator(seed: seed &+ stream &* 0xD1B5_4A32_D192_ED03 &+ UInt64(item) &* 0x9E37_79B9_7F4A_7C15)
    }

    func identity(ofRow row: Int) -> Int { row / perIdentity }

    func row(_ row: Int) -> [Float] {
        switch kind {
        case .random:
            var random = generator(1, row)
            return random.unitVector(dimension)
        case .identities:
            var random = generator(3, row)
            return template(of: identity(ofRow: row), using: &random)
        }
    }

    /// Query `q`: a random vector, or a new template of a random identity with all its templates enrolled.
    func query(_ q: Int) -> [Float] {
        var random = generator(4, q)
        guard let identity = queryIdentity(q) else { return random.unitVector(dimension) }
        return template(of: identity, using: &random)
    }

    func queryIdentity(_ q: Int) -> Int? {
        guard kind == .identities else { return nil }
        var random = generator(5, q)
        return Int(random.next() % UInt64(max(1, size / perIdentity)))
    }

    /// `a·centre + √(1−a²)·noise`, noise a unit vector orthogonal to the centre, a² ~ U(0.6, 0.8):
    /// two templates of one identity then score a₁a₂ ≈ 0.6–0.8.
    private func template(of identity: Int, using random: inout SeededGenerator) -> [Float] {
        var centreGenerator = generator(2, identity)
        let centre = centreGenerator.unitVector(dimension)
        var noise = random.unitVector(dimension)
        let along = zip(noise, centre).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        for j in 0..<dimension { noise[j] -= along * centre[j] }
        let norm = noise.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        let a = (0.6 + 0.2 * Float(random.next() >> 40) / Float(1 << 24)).squareRoot(), b = (1 - a * a).squareRoot()
        return (0..<dimension).map { a * centre[$0] + b * noise[$0] / norm }
    }

    /// Rows `range`, one after another.
    func rows(_ range: Range<Int>, parallelism: Int) -> [Float] {
        let d = dimension
        var block = [Float](repeating: 0, count: range.count * d)
        block.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: parallelism) { part in
                for i in stride(from: part, to: range.count, by: parallelism) {
                    let v = row(range.lowerBound + i)
                    for j in 0..<d { out.value[i * d + j] = v[j] }
                }
            }
        }
        return block
    }
}

/// A query's exact float32 top-k, folded in batch by batch.
struct ExactTopK: Sendable {
    let k: Int
    private(set) var hits: [(row: Int, score: Float)] = []
    var rows: [Int] { hits.map(\.row) }

    init(_ k: Int) { self.k = k }

    mutating func offer(_ row: Int, _ score: Float) {
        guard hits.count < k || score > hits[k - 1].score else { return }
        var i = hits.count
        while i > 0, hits[i - 1].score < score { i -= 1 }
        hits.insert((row, score), at: i)
        if hits.count > k { hits.removeLast() }
    }

    /// Every query's top-k over the rows of `block`, queries split over the tasks.
    static func fold(_ block: [Float], firstRow: Int, dimension d: Int, queries: [[Float]], into truth: inout [ExactTopK], parallelism: Int) {
        let n = block.count / d
        truth.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: parallelism) { part in
                block.withUnsafeBufferPointer { rows in
                    for q in stride(from: part, to: queries.count, by: parallelism) {
                        queries[q].withUnsafeBufferPointer { query in
                            for i in 0..<n { out.value[q].offer(firstRow + i, dot(query.baseAddress!, rows.baseAddress! + i * d, d)) }
                        }
                    }
                }
            }
        }
    }

    /// Float32 dot product, eight lanes at a time.
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var sum = (s0 + s1).sum()
        while i < n { sum += a[i] * b[i]; i += 1 }
        return sum
    }
}

/// VmRSS and VmHWM from /proc/self/status (Linux; zero elsewhere), and the process's CPU time.
struct ProcessMemory {
    /// CPU seconds used by every thread of this process (user + system): a search's CPU time,
    /// which other jobs on the machine do not inflate as they do its wall time.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    var rssMB = 0.0, hwmMB = 0.0

    static func read() -> ProcessMemory {
        var memory = ProcessMemory()
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return memory }
        for line in status.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kB = Double(fields[1]) else { continue }
            if fields[0] == "VmRSS:" { memory.rssMB = kB / 1024 }
            if fields[0] == "VmHWM:" { memory.hwmMB = kB / 1024 }
        }
        return memory
    }
}

/// Disjoint writes from concurrent iterations into one buffer.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
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
