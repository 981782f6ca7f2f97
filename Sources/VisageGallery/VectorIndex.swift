import Foundation
import Dispatch

/// Cosine top-k search over L2-normalised vectors held in memory, exact or compact.
///
/// ```swift
/// var index = VectorIndex(dimension: 128)
/// index.append(embedding)
/// let best = index.search(query, k: 10)                 // exact float32
/// let fast = index.search(query, k: 10, mode: .compact) // int8 scan, float32 re-rank
/// ```
///
/// Rows live in one contiguous `[Float]` (row-major) and, beside it, one contiguous `[Int8]`
/// with a scale per row (each row quantised symmetrically to ±127 of its largest component).
/// A search splits the rows over ``parallelism`` tasks (default: one per core) and merges
/// their top-k lists.
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

        public static let compact = Mode.compact(rerankFactor: 4)
    }

    public struct Hit: Sendable, Hashable {
        public var row: Int
        public var score: Float
    }

    public let dimension: Int
    /// Tasks a search is split into; default: the number of active cores.
    public var parallelism: Int
    public private(set) var count = 0
    private var vectors: [Float] = []
    private var codes: [Int8] = []
    private var scales: [Float] = []

    /// - Parameter parallelism: tasks per search; nil (the default) means one per active core.
    public init(dimension: Int, parallelism: Int? = nil) {
        precondition(dimension > 0)
        self.dimension = dimension
        self.parallelism = max(1, parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Bytes held: float32 rows, int8 rows and their scales.
    public var memoryBytes: Int { vectors.count * 4 + codes.count + scales.count * 4 }

    public mutating func reserveCapacity(_ rows: Int) {
        vectors.reserveCapacity(rows * dimension)
        codes.reserveCapacity(rows * dimension)
        scales.reserveCapacity(rows)
    }

    /// Adds a row; the vector should be L2-normalised.
    public mutating func append(_ vector: [Float]) {
        precondition(vector.count == dimension, "vector of \(vector.count) values in a \(dimension)-d index")
        vectors.append(contentsOf: vector)
        let (code, scale) = Self.quantize(vector)
        codes.append(contentsOf: code)
        scales.append(scale)
        count += 1
    }

    /// Removes the rows whose index is in `rows`, keeping the others in order.
    public mutating func remove(rows: Set<Int>) {
        guard !rows.isEmpty else { return }
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

    /// The stored float32 row.
    public func vector(at row: Int) -> [Float] { Array(vectors[(row * dimension)..<((row + 1) * dimension)]) }

    /// The `k` rows most similar to `query`, best first.
    public func search(_ query: [Float], k: Int, mode: Mode = .exact) -> [Hit] {
        precondition(query.count == dimension, "query of \(query.count) values in a \(dimension)-d index")
        guard k > 0, count > 0 else { return [] }
        switch mode {
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
                    let qp = q.baseAddress!, cp = c.baseAddress!, sp = s.baseAddress!
                    var row = range.lowerBound
                    while row + 4 <= range.upperBound {
                        let dots = Self.dot4(qp, cp + row * d, d)
                        let rowScales = UnsafeRawPointer(sp + row).loadUnaligned(as: SIMD4<Float>.self)
                        let scores = SIMD4<Float>(dots) * rowScales * queryScale
                        // Most blocks end here: none of the four beats the k-th best so far.
                        if any(scores .> heap.floor) {
                            for lane in 0..<4 where scores[lane] > heap.floor { heap.insert(row + lane, scores[lane]) }
                        }
                        row += 4
                    }
                    while row < range.upperBound {
                        let score = Float(Self.dot(qp, cp + row * d, d)) * (sp[row] * queryScale)
                        if score > heap.floor { heap.insert(row, score) }
                        row += 1
                    }
                }
            }
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

private struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// The scan closure is only read by the concurrent iterations, never mutated.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
