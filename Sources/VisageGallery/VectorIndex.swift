import Foundation
import Dispatch

/// Cosine top-k search over L2-normalised vectors held in memory: exact, compact, or through
/// an inverted file once the index is large.
///
/// ```swift
/// var index = VectorIndex(dimension: 128)
/// index.append(embedding)
/// let best = index.search(query, k: 10)                 // exact float32
/// let fast = index.search(query, k: 10, mode: .compact) // int8 scan, float32 re-rank
/// let auto = index.search(query, k: 10, mode: .automatic) // exact while flat, IVF once large
/// ```
///
/// **Flat layout** (up to ``invertedThreshold`` rows, default 1,000,000): rows live in one
/// contiguous `[Float]` (row-major) and, beside it, one contiguous `[Int8]` with a scale per
/// row (each row quantised symmetrically to ±127 of its largest component): 644 bytes per
/// 128-d row. A search splits the rows over ``parallelism`` tasks (default: one per core) and
/// merges their top-k lists.
///
/// **Inverted layout** (above ``invertedThreshold`` rows; the switch happens once, inside
/// the append that passes it): a k-means coarse quantiser is trained on a sample of the rows
/// and every row moves into the list of its nearest centroid as two-level int8 codes
/// (``InvertedLists``) beside 4-bit product-quantisation codes for the fast scan
/// (``ProductQuantizer``): 300 bytes per 128-d row, no float32. ``Mode/fastScan(probes:candidates:)``
/// (the automatic mode there) scores every row's 32-byte code through a per-query table with
/// an AVX2/AVX-512 `pshufb` kernel (CVectorKernels) and re-ranks the best candidates from the
/// int8 codes; ``Mode/inverted(probes:rerankFactor:)`` scans only the best `probes` lists'
/// int8 codes. Appends and removals keep working in either layout.
///
/// - ``Mode/exact``: dot products in float32 over every row; reads 4 bytes per dimension.
/// - ``Mode/compact``: int8 dot products over every row (a quarter of the memory traffic),
///   keeping the best `k × rerankFactor` rows, then re-scores those in float32. Without the
///   re-rank (``Mode/int8``), scores are off by about 1e-3, which swaps near-ties.
///
/// The int8 scan takes four rows at a time against a query quantised to int16 (finer than
/// the rows, at no cost: the products are formed in 16-bit lanes either way): each 16-byte
/// slice of the query is loaded once for the four rows, and the widening multiply-accumulate
/// is written so that LLVM emits `pmaddwd` (SSE2, the x86-64 baseline: no CPU flags needed).
/// A block's four scores are compared with the top-k floor at once.
public struct VectorIndex: Sendable {
    public enum Mode: Sendable, Hashable {
        /// Float32 over every row.
        case exact
        /// Int8 over every row; the best `k × rerankFactor` re-scored in float32 (default factor 4).
        case compact(rerankFactor: Int)
        /// Int8 over every row, no re-rank: approximate scores.
        case int8

        /// Inverted layout: the `probes` lists nearest the query, int8, the best
        /// `k × rerankFactor` re-scored from the finer codes. On the flat layout: ``compact``.
        case inverted(probes: Int, rerankFactor: Int)
        /// Inverted layout: the 4-bit fast-scan codes of the `probes` nearest lists (every list
        /// when `probes` ≥ the list count), the best `candidates` re-scored from the two-level
        /// int8 codes. On the flat layout: ``compact``.
        case fastScan(probes: Int, candidates: Int)
        /// ``exact`` on the flat layout; on the inverted one, ``fastScan`` over every list with
        /// ``VectorIndex/defaultFastScanCandidates`` candidates.
        case automatic

        public static let compact = Mode.compact(rerankFactor: 4)
        /// ``VectorIndex/defaultProbes`` lists, re-rank factor 4.
        public static let inverted = Mode.inverted(probes: VectorIndex.defaultProbes, rerankFactor: 4)
        /// Every list, ``VectorIndex/defaultFastScanCandidates`` candidates.
        public static let fastScan = Mode.fastScan(probes: Int.max, candidates: VectorIndex.defaultFastScanCandidates)
    }

    public enum Layout: Sendable, Hashable {
        /// Float32 and int8 rows, every row scanned.
        case flat
        /// An inverted file of `lists` lists of two-level int8 codes.
        case inverted(lists: Int)
    }

    /// Rows above which an index switches to the inverted layout by default (see docs/gallery.md:
    /// above it a flat compact scan passes ~8 ms and the flat rows 644 MB).
    public static let defaultInvertedThreshold = 1_000_000
    /// Lists of the inverted layout by default: about 10,000 rows each at 10M rows.
    public static let defaultListCount = 1024
    /// Lists a ``Mode/inverted`` search scans by default.
    public static let defaultProbes = 64
    /// Rows an int8 ``Mode/inverted`` scan covering about ~20 ms of work on two cores holds
    /// (``automaticProbes(lists:rows:)``; the automatic mode before the fast scan).
    public static let automaticScanRows = 2_500_000
    /// Candidates a fast scan keeps for the re-rank by default (docs/gallery.md has the figures).
    public static let defaultFastScanCandidates = 4096

    /// The lists an int8 scan of about ``automaticScanRows`` rows covers when `lists` lists hold `rows` rows.
    static func automaticProbes(lists: Int, rows: Int) -> Int {
        guard rows > automaticScanRows else { return lists }
        return max(1, min(lists, (lists * automaticScanRows + rows - 1) / rows))
    }

    public struct Hit: Sendable, Hashable {
        public var row: Int
        public var score: Float
    }

    public let dimension: Int
    /// Tasks a search is split into; default: the number of active cores.
    public var parallelism: Int
    public private(set) var count = 0
    /// Rows above which the index switches to the inverted layout (`Int.max`: never).
    public let invertedThreshold: Int
    /// Lists the inverted layout is built with.
    public let listCount: Int
    /// Sub-spaces of the inverted layout's 4-bit fast-scan codes (`subspaces / 2` bytes a row).
    public let fastScanSubspaces: Int
    private var vectors: [Float] = []
    private var codes: [Int8] = []
    private var scales: [Float] = []
    /// Non-nil once the index has switched to the inverted layout; the flat arrays are then empty.
    private var inverted: InvertedLists?

    /// - Parameters:
    ///   - parallelism: tasks per search; nil (the default) means one per active core.
    ///   - invertedThreshold: rows above which the index is an inverted file (default
    ///     ``defaultInvertedThreshold``; `Int.max` keeps it flat).
    ///   - lists: lists of the inverted file (default ``defaultListCount``).
    ///   - fastScanSubspaces: sub-spaces of its fast-scan codes: even, 2–128, at most twice the
    ///     dimension; nil (the default) means two dimensions each, at most 128.
    public init(dimension: Int, parallelism: Int? = nil, invertedThreshold: Int = VectorIndex.defaultInvertedThreshold,
                lists: Int = VectorIndex.defaultListCount, fastScanSubspaces: Int? = nil) {
        precondition(dimension > 0 && invertedThreshold > 0 && lists > 0)
        self.dimension = dimension
        self.parallelism = max(1, parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        self.invertedThreshold = invertedThreshold
        self.listCount = lists
        let subspaces = fastScanSubspaces ?? ProductQuantizer.defaultSubspaces(dimension: dimension)
        precondition(subspaces >= 2 && subspaces % 2 == 0 && subspaces <= 128 && subspaces <= 2 * dimension,
                     "fast-scan sub-spaces must be even, 2–128, at most twice the dimension, not \(subspaces)")
        self.fastScanSubspaces = subspaces
    }

    public var layout: Layout { inverted.map { .inverted(lists: $0.listCount) } ?? .flat }

    /// Seconds the inverted layout's k-means took; nil while flat.
    public var trainingSeconds: Double? { inverted?.trainingSeconds }

    /// Bytes held: float32 rows, int8 rows and their scales (flat), or the lists, their codes
    /// and the centroids (inverted).
    public var memoryBytes: Int { inverted?.memoryBytes ?? (vectors.count * 4 + codes.count + scales.count * 4) }

    public mutating func reserveCapacity(_ rows: Int) {
        guard inverted == nil else { return }
        let flatRows = min(rows, invertedThreshold)
        vectors.reserveCapacity(flatRows * dimension)
        codes.reserveCapacity(flatRows * dimension)
        scales.reserveCapacity(flatRows)
    }

    /// Adds a row; the vector should be L2-normalised.
    public mutating func append(_ vector: [Float]) {
        precondition(vector.count == dimension, "vector of \(vector.count) values in a \(dimension)-d index")
        append(contentsOf: vector)
    }

    /// Adds rows given one after another (`rows.count` a multiple of ``dimension``); on the
    /// inverted layout their lists are found in parallel, so batches build faster than single rows.
    public mutating func append(contentsOf rows: [Float]) {
        precondition(rows.count % dimension == 0, "\(rows.count) values are not whole \(dimension)-d rows")
        let n = rows.count / dimension
        guard n > 0 else { return }
        if inverted != nil {
            rows.withUnsafeBufferPointer { inverted!.append(rows: $0.baseAddress!, count: n, parallelism: parallelism) }
            count += n
            return
        }
        vectors.append(contentsOf: rows)
        for r in 0..<n {
            let (code, scale) = Self.quantize(Array(rows[(r * dimension)..<((r + 1) * dimension)]))
            codes.append(contentsOf: code)
            scales.append(scale)
        }
        count += n
        if count > invertedThreshold { switchToInverted() }
    }

    /// Trains the coarse quantiser on the flat rows, files them into lists and frees the flat arrays.
    private mutating func switchToInverted() {
        inverted = vectors.withUnsafeBufferPointer {
            InvertedLists(dimension: dimension, rows: $0, count: count, lists: listCount, subspaces: fastScanSubspaces, parallelism: parallelism)
        }
        vectors = []
        codes = []
        scales = []
    }

    /// Removes the rows whose index is in `rows`, keeping the others in order.
    public mutating func remove(rows: Set<Int>) {
        guard !rows.isEmpty else { return }
        if inverted != nil {
            inverted!.remove(sortedRows: rows.filter { $0 >= 0 && $0 < count }.sorted())
            count = inverted!.count
            return
        }
        var kept = 0
        for row in 0..<count where !rows.contains(row) {
            if kept != row {
                for j in 0..<dimension {
                    vectors[kept * dimension + j] = vectors[row * dimension + j]
                    codes[kept * dimension + j] = codes[row * dimension + j]
                }
                scales[kept] = scales[row]
            }
            kept += 1
        }
        vectors.removeLast((count - kept) * dimension)
        codes.removeLast((count - kept) * dimension)
        scales.removeLast(count - kept)
        count = kept
    }

    /// The stored row: float32 as appended (flat), or rebuilt from its two-level int8 codes
    /// (inverted; within about 1e-5 per component of the original).
    public func vector(at row: Int) -> [Float] {
        if let inverted { return inverted.vector(at: row) }
        return Array(vectors[(row * dimension)..<((row + 1) * dimension)])
    }

    /// The `k` rows most similar to `query`, best first.
    public func search(_ query: [Float], k: Int, mode: Mode = .exact) -> [Hit] {
        precondition(query.count == dimension, "query of \(query.count) values in a \(dimension)-d index")
        guard k > 0, count > 0 else { return [] }
        let k = min(k, count)  // no more hits than rows; a huge k overflowed `k * rerank factor`
        if let inverted {
            // No float32 rows here: exact and compact scan every list and re-rank from the
            // finer codes (scores within ~1e-5 of float32); int8 scans every list, no re-rank.
            let all = inverted.listCount
            switch mode {
            case .exact: return inverted.search(query, k: min(k, count), probes: all, rerankFactor: 4, parallelism: parallelism)
            case let .compact(factor): return inverted.search(query, k: min(k, count), probes: all, rerankFactor: max(1, factor), parallelism: parallelism)
            case .int8: return inverted.search(query, k: min(k, count), probes: all, rerankFactor: 0, parallelism: parallelism)
            case let .inverted(probes, factor):
                return inverted.search(query, k: min(k, count), probes: probes, rerankFactor: max(1, factor), parallelism: parallelism)
            case let .fastScan(probes, candidates):
                return inverted.fastSearch(query, k: min(k, count), probes: probes, candidates: candidates, parallelism: parallelism)
            case .automatic:
                return inverted.fastSearch(query, k: min(k, count), probes: Int.max, candidates: Self.defaultFastScanCandidates,
                                           parallelism: parallelism)
            }
        }
        switch mode {
        case .automatic:
            return search(query, k: k, mode: .exact)
        case let .inverted(_, factor):
            return search(query, k: k, mode: .compact(rerankFactor: factor))
        case .fastScan:
            return search(query, k: k, mode: .compact)
        case .exact:
            return scan(k: min(k, count)) { range, heap in scanFloat(query, range, &heap) }
        case .int8:
            let (code, scale) = Self.quantizeQuery(query)
            return scan(k: min(k, count)) { range, heap in scanInt8(code, scale, range, &heap) }
        case let .compact(factor):
            let (code, scale) = Self.quantizeQuery(query)
            let candidates = scan(k: min(count, k * max(1, factor))) { range, heap in scanInt8(code, scale, range, &heap) }
            let rescored = query.withUnsafeBufferPointer { q in
                vectors.withUnsafeBufferPointer { v in
                    candidates.map { Hit(row: $0.row, score: Self.dot(q.baseAddress!, v.baseAddress! + $0.row * dimension, dimension)) }
                }
            }
            return Array(rescored.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }.prefix(k))
        }
    }

    // MARK: - Scans

    private func scan(k: Int, _ body: (Range<Int>, inout TopK) -> Void) -> [Hit] {
        let parts = count >= 4096 ? min(parallelism, count / 2048) : 1
        if parts == 1 {
            var heap = TopK(k)
            body(0..<count, &heap)
            return heap.sorted()
        }
        let chunk = (count + parts - 1) / parts
        let results = UnsafeMutableBufferPointer<TopK>.allocate(capacity: parts)
        results.initialize(repeating: TopK(k))
        defer { results.deinitialize(); results.deallocate() }
        let shared = SendableBuffer(results)
        withoutActuallyEscaping(body) { body in
            let work = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = (part * chunk)..<min(count, (part + 1) * chunk)
                work.value(range, &shared.buffer[part])
            }
        }
        var merged = TopK(k)
        for part in results { for hit in part.hits { merged.insert(hit.row, hit.score) } }
        return merged.sorted()
    }

    private func scanFloat(_ query: [Float], _ range: Range<Int>, _ heap: inout TopK) {
        let d = dimension
        query.withUnsafeBufferPointer { q in
            vectors.withUnsafeBufferPointer { v in
                let qp = q.baseAddress!, vp = v.baseAddress!
                for row in range {
                    let score = Self.dot(qp, vp + row * d, d)
                    if score > heap.floor { heap.insert(row, score) }
                }
            }
        }
    }

    private func scanInt8(_ query: [Int16], _ queryScale: Float, _ range: Range<Int>, _ heap: inout TopK) {
        let d = dimension
        query.withUnsafeBytes { q in
            codes.withUnsafeBytes { c in
                scales.withUnsafeBufferPointer { s in
                    Self.scanCodes(q.baseAddress!, queryScale, c.baseAddress! + range.lowerBound * d, s.baseAddress! + range.lowerBound,
                                   rows: range.count, dimension: d, idBase: range.lowerBound, heap: &heap)
                }
            }
        }
    }

    /// Scores `rows` int8 rows (codes `dimension` bytes apart, a scale each) against the int16
    /// query and offers them to `heap` as `idBase + i`. Shared by the flat scan and the lists.
    @inline(__always)
    static func scanCodes(_ query: UnsafeRawPointer, _ queryScale: Float, _ codes: UnsafeRawPointer?, _ scales: UnsafePointer<Float>?,
                          rows: Int, dimension d: Int, idBase: Int, heap: inout TopK) {
        guard rows > 0, let cp = codes, let sp = scales else { return }
        var row = 0
        while row + 4 <= rows {
            let dots = dot4(query, cp + row * d, d)
            let rowScales = UnsafeRawPointer(sp + row).loadUnaligned(as: SIMD4<Float>.self)
            let scores = SIMD4<Float>(dots) * rowScales * queryScale
            // Most blocks end here: none of the four beats the k-th best so far.
            if any(scores .> heap.floor) {
                for lane in 0..<4 where scores[lane] > heap.floor { heap.insert(idBase + row + lane, scores[lane]) }
            }
            row += 4
        }
        while row < rows {
            let score = Float(dot(query, cp + row * d, d)) * (sp[row] * queryScale)
            if score > heap.floor { heap.insert(idBase + row, score) }
            row += 1
        }
    }

    // MARK: - Kernels

    /// Float32 dot product with four independent SIMD accumulators (float adds do not
    /// reassociate, so the compiler would not vectorise a plain loop).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: i * 4 + 96, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: i * 4 + 96, as: SIMD8<Float>.self)
            i += 32
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < n { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    /// Four int8 rows (`d` bytes apart) against an int16 query, in Int32.
    ///
    /// Per 16 dimensions and row: the codes are sign-extended to two 8 × Int16 halves, and
    /// each half is multiplied with the query's lanes and summed in adjacent pairs, the
    /// semantics of `pmaddwd`, which LLVM emits for this shape.
    @inline(__always)
    static func dot4(_ query: UnsafeRawPointer, _ rows: UnsafeRawPointer, _ d: Int) -> SIMD4<Int32> {
        var a0 = SIMD4<Int32>(), a1 = SIMD4<Int32>(), a2 = SIMD4<Int32>(), a3 = SIMD4<Int32>()
        let blocked = d & ~15
        var j = 0
        while j < blocked {
            let qlo = query.loadUnaligned(fromByteOffset: j &* 2, as: SIMD8<Int16>.self)
            let qhi = query.loadUnaligned(fromByteOffset: j &* 2 &+ 16, as: SIMD8<Int16>.self)
            a0 &+= madd(rows.loadUnaligned(fromByteOffset: j, as: SIMD16<Int8>.self), qlo, qhi)
            a1 &+= madd(rows.loadUnaligned(fromByteOffset: j &+ d, as: SIMD16<Int8>.self), qlo, qhi)
            a2 &+= madd(rows.loadUnaligned(fromByteOffset: j &+ 2 &* d, as: SIMD16<Int8>.self), qlo, qhi)
            a3 &+= madd(rows.loadUnaligned(fromByteOffset: j &+ 3 &* d, as: SIMD16<Int8>.self), qlo, qhi)
            j &+= 16
        }
        var dots = SIMD4(a0.wrappedSum(), a1.wrappedSum(), a2.wrappedSum(), a3.wrappedSum())
        if blocked < d {
            let q = query.assumingMemoryBound(to: Int16.self), c = rows.assumingMemoryBound(to: Int8.self)
            for lane in 0..<4 {
                for i in blocked..<d { dots[lane] &+= Int32(q[i]) &* Int32(c[lane &* d &+ i]) }
            }
        }
        return dots
    }

    /// Sixteen int8 codes times the query's sixteen int16 lanes, summed in adjacent pairs.
    @inline(__always)
    private static func madd(_ codes: SIMD16<Int8>, _ qlo: SIMD8<Int16>, _ qhi: SIMD8<Int16>) -> SIMD4<Int32> {
        let lo = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int16>(truncatingIfNeeded: codes.lowHalf)) &* SIMD8<Int32>(truncatingIfNeeded: qlo)
        let hi = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int16>(truncatingIfNeeded: codes.highHalf)) &* SIMD8<Int32>(truncatingIfNeeded: qhi)
        return (lo.evenHalf &+ lo.oddHalf) &+ (hi.evenHalf &+ hi.oddHalf)
    }

    /// One int8 row against the int16 query (the rows left over after the blocks of four).
    @inline(__always)
    static func dot(_ query: UnsafeRawPointer, _ row: UnsafeRawPointer, _ d: Int) -> Int32 {
        var acc = SIMD4<Int32>()
        let blocked = d & ~15
        var j = 0
        while j < blocked {
            acc &+= madd(row.loadUnaligned(fromByteOffset: j, as: SIMD16<Int8>.self),
                         query.loadUnaligned(fromByteOffset: j &* 2, as: SIMD8<Int16>.self),
                         query.loadUnaligned(fromByteOffset: j &* 2 &+ 16, as: SIMD8<Int16>.self))
            j &+= 16
        }
        var sum = acc.wrappedSum()
        let q = query.assumingMemoryBound(to: Int16.self), c = row.assumingMemoryBound(to: Int8.self)
        for i in blocked..<d { sum &+= Int32(q[i]) &* Int32(c[i]) }
        return sum
    }

    /// The query in int16, as fine as the Int32 sums allow: `d × 127 × peak` stays below 2³¹
    /// (peak 32767 up to 512 dimensions).
    static func quantizeQuery(_ vector: [Float]) -> (codes: [Int16], scale: Float) {
        let magnitude = vector.reduce(Float(0)) { max($0, abs($1)) }
        guard magnitude > 0 else { return ([Int16](repeating: 0, count: vector.count), 0) }
        let peak = Float(max(1, min(32767, Int(Int32.max) / (127 * max(1, vector.count)))))
        let factor = peak / magnitude
        return (vector.map { Int16(($0 * factor).rounded()) }, magnitude / peak)
    }

    /// ``quantizeQuery(_:)`` from a pointer into a caller's buffer (no allocation); returns the scale.
    @inline(__always)
    static func quantizeQuery(_ vector: UnsafePointer<Float>, _ d: Int, into codes: UnsafeMutablePointer<Int16>) -> Float {
        var magnitude: Float = 0
        for j in 0..<d { magnitude = max(magnitude, abs(vector[j])) }
        guard magnitude > 0 else { codes.update(repeating: 0, count: d); return 0 }
        let peak = Float(max(1, min(32767, Int(Int32.max) / (127 * max(1, d)))))
        let factor = peak / magnitude
        for j in 0..<d { codes[j] = Int16((vector[j] * factor).rounded()) }
        return magnitude / peak
    }

    /// Symmetric per-vector quantisation: the largest magnitude maps to ±127.
    static func quantize(_ vector: [Float]) -> (codes: [Int8], scale: Float) {
        let peak = vector.reduce(Float(0)) { max($0, abs($1)) }
        guard peak > 0 else { return ([Int8](repeating: 0, count: vector.count), 0) }
        let factor = 127 / peak
        return (vector.map { Int8(($0 * factor).rounded()) }, peak / 127)
    }
}

/// The best `k` (row, score) pairs seen so far, kept as a sorted array: inserts are rare
/// once it is full, because most rows score below ``floor``.
struct TopK: Sendable {
    let k: Int
    private(set) var hits: [VectorIndex.Hit] = []
    /// Scores must beat this to enter.
    private(set) var floor: Float = -.infinity

    init(_ k: Int) {
        self.k = k
        hits.reserveCapacity(k + 1)
    }

    mutating func insert(_ row: Int, _ score: Float) {
        guard hits.count < k || score > floor else { return }
        var i = hits.count
        while i > 0, hits[i - 1].score < score || (hits[i - 1].score == score && hits[i - 1].row > row) { i -= 1 }
        hits.insert(.init(row: row, score: score), at: i)
        if hits.count > k { hits.removeLast() }
        if hits.count == k { floor = hits[k - 1].score }
    }

    func sorted() -> [VectorIndex.Hit] { hits }
}

struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// The scan closure is only read by the concurrent iterations, never mutated.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
