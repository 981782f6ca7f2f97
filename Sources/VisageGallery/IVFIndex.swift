import CVectorKernels
import Dispatch
import Foundation
import VisageCore

/// The large layout of a ``VectorIndex``: an inverted file (IVF) over two-level int8 codes.
///
/// A coarse quantiser of `lists` unit centroids (spherical k-means, trained once on a sample)
/// splits the rows into lists; a row lives in the list of its most similar centroid. A search
/// scores the query against every centroid, scans only the `probes` best lists with the int8
/// kernel of the flat index (four rows per query load, `pmaddwd`), keeps `k × rerankFactor`
/// candidates and re-scores them from the finer codes.
///
/// Per row it holds, in its list: `codes` (int8, the row quantised to ±127 of its largest
/// component, scanned), `residuals` (int8, what `codes` missed, at 1/254 of the code step,
/// read only for the re-rank), the scale (float32), the row's number (int32) and its 4-bit
/// fast-scan code (``ProductQuantizer``, d/4 bytes in blocks of 32 rows): 2d + 8 + d/4 bytes,
/// 296 for 128-d, plus 4 for the row → list map. ``fastSearch(_:k:probes:candidates:parallelism:)``
/// scans the fast-scan codes and re-ranks from the int8 codes (docs/gallery.md). No float32 row is kept: the re-rank's scores
/// are within `scale / 508` per component of float32 (about 1e-5 on a dot product of unit
/// vectors), far below the gaps that order neighbours.
///
/// Rows keep the flat index's numbering (insertion order, closing up on removal): each list
/// holds its rows in ascending order, so a removal renumbers in place and ``vector(at:)``
/// finds a row by binary search in its list.
struct InvertedLists: Sendable {
    struct List: Sendable {
        var codes: [Int8] = []
        var residuals: [Int8] = []
        var scales: [Float] = []
        var rows: [Int32] = []
        /// The rows' 4-bit product-quantisation codes in blocks of 32 (``ProductQuantizer``'s layout).
        var fastCodes: [UInt8] = []
    }

    let dimension: Int
    /// Unit centroids, `listCount × dimension`, row-major.
    private(set) var centroids: [Float]
    /// The centroids in int8 (per-centroid scale), for assigning rows with the int8 kernel.
    private var centroidCodes: [Int8]
    private var centroidScales: [Float]
    private(set) var lists: [List]
    /// The list each row lives in, by row number.
    private var listOfRow: [Int32] = []
    /// The fast-scan pass's codebooks (``ProductQuantizer``).
    let quantizer: ProductQuantizer
    /// Seconds the k-means training took (coarse and product quantisers; for reports).
    let trainingSeconds: Double

    var count: Int { listOfRow.count }
    var listCount: Int { lists.count }

    var memoryBytes: Int {
        lists.reduce(0) { $0 + $1.codes.count + $1.residuals.count + $1.scales.count * 4 + $1.rows.count * 4 + $1.fastCodes.count }
            + listOfRow.count * 4 + centroids.count * 4 + centroidCodes.count + centroidScales.count * 4 + quantizer.codebooks.count * 4
    }

    /// Trains the quantiser on a sample of `rows` (`count × dimension` floats, unit rows) and
    /// files every row.
    init(dimension: Int, rows: UnsafeBufferPointer<Float>, count: Int, lists requested: Int, subspaces: Int, parallelism: Int,
         seed: UInt64 = 0x5EED) {
        self.dimension = dimension
        let listCount = max(1, min(requested, count))
        let start = ContinuousClock.now
        centroids = Self.trainCentroids(rows: rows.baseAddress!, count: count, dimension: dimension, lists: listCount,
                                        parallelism: parallelism, seed: seed)
        quantizer = ProductQuantizer(dimension: dimension, subspaces: subspaces, rows: rows.baseAddress!, count: count,
                                     parallelism: parallelism, seed: seed)
        let elapsed = ContinuousClock.now - start
        trainingSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        (centroidCodes, centroidScales) = Self.quantizeRows(centroids, dimension: dimension)
        lists = Array(repeating: List(), count: listCount)
        append(rows: rows.baseAddress!, count: count, parallelism: parallelism)
    }

    // MARK: - Changes

    /// Files `count` rows (row-major floats) under the next row numbers.
    mutating func append(rows: UnsafePointer<Float>, count n: Int, parallelism: Int) {
        guard n > 0 else { return }
        let assignment = assign(rows, count: n, parallelism: parallelism)
        let fast = quantizer.encode(rows, count: n, parallelism: parallelism)
        let m = quantizer.subspaces
        // Grow each list once per batch, by at least half (`reserveCapacity` gives exactly what
        // is asked, so reserving each batch's exact total would copy every list every batch).
        var added = [Int](repeating: 0, count: listCount)
        for l in assignment { added[Int(l)] += 1 }
        for l in 0..<listCount where added[l] > 0 && lists[l].scales.capacity < lists[l].rows.count + added[l] {
            let total = max(lists[l].rows.count + added[l], lists[l].rows.count * 3 / 2)
            lists[l].codes.reserveCapacity(total * dimension)
            lists[l].residuals.reserveCapacity(total * dimension)
            lists[l].scales.reserveCapacity(total)
            lists[l].rows.reserveCapacity(total)
            lists[l].fastCodes.reserveCapacity((total + 31) / 32 * quantizer.blockBytes)
        }
        listOfRow.reserveCapacity(listOfRow.count + n)
        var code = [Int8](repeating: 0, count: dimension), residual = [Int8](repeating: 0, count: dimension)
        for i in 0..<n {
            let l = Int(assignment[i])
            let scale = Self.quantizeTwoLevel(rows + i * dimension, dimension, &code, &residual)
            lists[l].codes.append(contentsOf: code)
            lists[l].residuals.append(contentsOf: residual)
            lists[l].scales.append(scale)
            fast.withUnsafeBufferPointer { quantizer.store($0.baseAddress! + i * m, at: lists[l].rows.count, in: &lists[l].fastCodes) }
            lists[l].rows.append(Int32(listOfRow.count))
            listOfRow.append(Int32(l))
        }
    }

    /// Removes rows (ascending, distinct) and renumbers the others, keeping their order.
    mutating func remove(sortedRows removed: [Int]) {
        guard !removed.isEmpty else { return }
        let d = dimension
        for l in 0..<listCount {
            var list = lists[l]
            lists[l] = List()  // hold the only reference, so the edits below happen in place
            var kept = 0
            for i in 0..<list.rows.count {
                let row = Int(list.rows[i])
                // Rows below `row` that go: the new number is the old one less those.
                var lo = 0, hi = removed.count
                while lo < hi { let mid = (lo + hi) / 2; if removed[mid] < row { lo = mid + 1 } else { hi = mid } }
                if lo < removed.count, removed[lo] == row { continue }
                if kept != i {
                    for j in 0..<d {
                        list.codes[kept * d + j] = list.codes[i * d + j]
                        list.residuals[kept * d + j] = list.residuals[i * d + j]
                    }
                    list.scales[kept] = list.scales[i]
                    quantizer.move(from: i, to: kept, in: &list.fastCodes)
                }
                list.rows[kept] = Int32(row - lo)
                kept += 1
            }
            let gone = list.rows.count - kept
            if gone > 0 {
                list.codes.removeLast(gone * d)
                list.residuals.removeLast(gone * d)
                list.scales.removeLast(gone)
                list.rows.removeLast(gone)
                quantizer.truncate(&list.fastCodes, to: kept)
            }
            lists[l] = list
        }
        var kept = 0, next = 0
        for row in 0..<listOfRow.count {
            if next < removed.count, removed[next] == row { next += 1; continue }
            listOfRow[kept] = listOfRow[row]
            kept += 1
        }
        listOfRow.removeLast(listOfRow.count - kept)
    }

    /// The row as stored (codes plus residuals), within `scale / 508` per component of the original.
    func vector(at row: Int) -> [Float] {
        let list = lists[Int(listOfRow[row])]
        var lo = 0, hi = list.rows.count
        while lo < hi { let mid = (lo + hi) / 2; if Int(list.rows[mid]) < row { lo = mid + 1 } else { hi = mid } }
        let scale = list.scales[lo], fine = scale / 254
        return (0..<dimension).map { j in Float(list.codes[lo * dimension + j]) * scale + Float(list.residuals[lo * dimension + j]) * fine }
    }

    // MARK: - Search

    /// The `k` best rows among the `probes` lists whose centroids best match `query`;
    /// `rerankFactor` 0 returns the int8 scores without the re-rank.
    func search(_ query: [Float], k: Int, probes: Int, rerankFactor: Int, parallelism: Int) -> [VectorIndex.Hit] {
        let d = dimension
        let probed = nearestLists(query, probes: max(1, min(probes, listCount)))
        let candidates = max(k, k * rerankFactor)
        let (qcode, qscale) = VectorIndex.quantizeQuery(query)

        let assigned = tasks(for: probed, parallelism: parallelism)
        let parts = assigned.count

        let heaps = UnsafeMutableBufferPointer<TopK>.allocate(capacity: parts)
        heaps.initialize(repeating: TopK(candidates))
        defer { heaps.deinitialize(); heaps.deallocate() }
        let shared = SendableBuffer(heaps)
        let work = { (part: Int) in
            qcode.withUnsafeBytes { q in
                for l in assigned[part] {
                    let list = lists[l]
                    list.codes.withUnsafeBytes { c in
                        list.scales.withUnsafeBufferPointer { s in
                            // Candidates carry (list, position) until the re-rank maps them to rows.
                            VectorIndex.scanCodes(q.baseAddress!, qscale, c.baseAddress, s.baseAddress, rows: list.rows.count, dimension: d,
                                                  idBase: l << 32, heap: &shared.buffer[part])
                        }
                    }
                }
            }
        }
        if parts == 1 {
            work(0)
        } else {
            let body = UnsafeSendable(work)
            DispatchQueue.concurrentPerform(iterations: parts) { body.value($0) }
        }
        var merged = TopK(candidates)
        for heap in heaps { for hit in heap.hits { merged.insert(hit.row, hit.score) } }

        var hits: [VectorIndex.Hit]
        if rerankFactor > 0 {
            hits = merged.sorted().map { candidate in
                let list = lists[candidate.row >> 32], position = candidate.row & 0xFFFF_FFFF
                return VectorIndex.Hit(row: candidate.row, score: refinedScore(query, list, position))
            }
            hits.sort { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
        } else {
            hits = merged.sorted()
        }
        // Map (list, position) to row numbers, then order ties by row as the flat index does.
        hits = hits.prefix(k).map { VectorIndex.Hit(row: Int(lists[$0.row >> 32].rows[$0.row & 0xFFFF_FFFF]), score: $0.score) }
        return hits.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    }

    /// The `k` best rows by a fast scan of the `probes` nearest lists (all of them when
    /// `probes ≥ listCount`): every row's 4-bit codes scored through the query's uint8 table,
    /// the best `candidates` kept, then re-scored from the two-level int8 codes.
    /// The probed lists shared out over the search's tasks with balanced rows: largest list
    /// first, each to the lightest task; one task when there is too little to scan to pay for more.
    private func tasks(for probed: [Int], parallelism: Int) -> [[Int]] {
        let rowsProbed = probed.reduce(0) { $0 + lists[$1].rows.count }
        let parts = rowsProbed >= 8192 ? max(1, min(parallelism, probed.count)) : 1
        var assigned = [[Int]](repeating: [], count: parts), load = [Int](repeating: 0, count: parts)
        for l in probed.sorted(by: { lists[$0].rows.count > lists[$1].rows.count }) {
            let task = load.indices.min { load[$0] < load[$1] }!
            assigned[task].append(l)
            load[task] += lists[l].rows.count
        }
        return assigned
    }

    func fastSearch(_ query: [Float], k: Int, probes: Int, candidates: Int, parallelism: Int) -> [VectorIndex.Hit] {
        let d = dimension, m = quantizer.subspaces
        let probed = probes >= listCount ? Array(0..<listCount) : nearestLists(query, probes: max(1, probes))
        let keep = max(k, candidates)
        let table = quantizer.table(for: query).entries

        let assigned = tasks(for: probed, parallelism: parallelism)
        let parts = assigned.count
        let longest = probed.map { lists[$0].rows.count }.max() ?? 0

        let reservoirs = UnsafeMutableBufferPointer<FastScanReservoir>.allocate(capacity: parts)
        reservoirs.initialize(repeating: FastScanReservoir(keep: keep))
        defer { reservoirs.deinitialize(); reservoirs.deallocate() }
        let shared = SendableBuffer(reservoirs)
        let work = { (part: Int) in
            var reservoir = FastScanReservoir(keep: keep)
            var positions = [UInt32](repeating: 0, count: longest), scores = [UInt16](repeating: 0, count: longest)
            table.withUnsafeBufferPointer { t in
                positions.withUnsafeMutableBufferPointer { p in
                    scores.withUnsafeMutableBufferPointer { sc in
                        for l in assigned[part] {
                            let list = lists[l]
                            guard !list.rows.isEmpty else { continue }
                            let threshold = reservoir.threshold
                            let found = list.fastCodes.withUnsafeBufferPointer { c in
                                vk_fastscan_filter(c.baseAddress!, list.rows.count, m, t.baseAddress!, threshold, p.baseAddress!, sc.baseAddress!)
                            }
                            for i in 0..<found { reservoir.add(l << 32 | Int(p[i]), sc[i]) }
                            reservoir.settle()
                        }
                    }
                }
            }
            shared.buffer[part] = reservoir
        }
        if parts == 1 {
            work(0)
        } else {
            let body = UnsafeSendable(work)
            DispatchQueue.concurrentPerform(iterations: parts) { body.value($0) }
        }
        var merged = reservoirs[0]
        for part in 1..<parts { merged.merge(reservoirs[part]) }
        merged.compact()

        // Re-rank: the candidates' scores from the two-level int8 codes, split over the tasks.
        // The lists are not mutated while `self` is searched, so their storage stays where it is
        // for the duration of this call: the kernel takes the candidates' rows by pointer and
        // prefetches a few ahead, overlapping the cache misses of the scattered reads.
        let ids = merged.ids
        var codePointers = [UnsafePointer<Int8>?](repeating: nil, count: ids.count)
        var residualPointers = [UnsafePointer<Int8>?](repeating: nil, count: ids.count)
        var rowScales = [Float](repeating: 0, count: ids.count)
        for i in 0..<ids.count {
            let list = lists[ids[i] >> 32], position = ids[i] & 0xFFFF_FFFF
            codePointers[i] = list.codes.withUnsafeBufferPointer { $0.baseAddress! + position * d }
            residualPointers[i] = list.residuals.withUnsafeBufferPointer { $0.baseAddress! + position * d }
            rowScales[i] = list.scales[position]
        }
        var exact = [Float](repeating: 0, count: ids.count)
        let rerankParts = ids.count >= 2048 ? parallelism : 1
        let chunk = (ids.count + rerankParts - 1) / rerankParts
        exact.withUnsafeMutableBufferPointer { out in
            codePointers.withUnsafeBufferPointer { c in
                residualPointers.withUnsafeBufferPointer { r in
                    rowScales.withUnsafeBufferPointer { s in
                        query.withUnsafeBufferPointer { q in
                            let pointers = UnsafeSendable((out, c, r, s, q))
                            let rescore = { (part: Int) in
                                let (out, c, r, s, q) = pointers.value
                                let begin = part * chunk, end = min(ids.count, begin + chunk)
                                guard begin < end else { return }
                                vk_rerank_two_level(q.baseAddress!, d, end - begin, c.baseAddress! + begin, r.baseAddress! + begin,
                                                    s.baseAddress! + begin, out.baseAddress! + begin)
                            }
                            if rerankParts == 1 { rescore(0) } else {
                                let body = UnsafeSendable(rescore)
                                DispatchQueue.concurrentPerform(iterations: rerankParts) { body.value($0) }
                            }
                        }
                    }
                }
            }
        }
        var best = TopK(min(k, ids.count))
        for i in 0..<ids.count where exact[i] > best.floor || best.hits.count < best.k {
            best.insert(Int(lists[ids[i] >> 32].rows[ids[i] & 0xFFFF_FFFF]), exact[i])
        }
        return best.sorted()
    }

    /// The lists whose centroids score highest against `query` (float32; `lists × d` products).
    func nearestLists(_ query: [Float], probes: Int) -> [Int] {
        var best = TopK(probes)
        query.withUnsafeBufferPointer { q in
            centroids.withUnsafeBufferPointer { c in
                for l in 0..<listCount {
                    let score = VectorIndex.dot(q.baseAddress!, c.baseAddress! + l * dimension, dimension)
                    if score > best.floor || best.hits.count < probes { best.insert(l, score) }
                }
            }
        }
        return best.sorted().map(\.row)
    }

    /// Query · (codes × scale + residuals × scale / 254), in float32.
    private func refinedScore(_ query: [Float], _ list: List, _ position: Int) -> Float {
        let d = dimension, base = position * d
        var coarse: Float = 0, fine: Float = 0
        for j in 0..<d {
            coarse += query[j] * Float(list.codes[base + j])
            fine += query[j] * Float(list.residuals[base + j])
        }
        let scale = list.scales[position]
        return coarse * scale + fine * (scale / 254)
    }

    // MARK: - Assignment and training

    /// The list of each row: the centroid with the highest int8 score (parallel over rows).
    private func assign(_ rows: UnsafePointer<Float>, count n: Int, parallelism: Int) -> [Int32] {
        Self.assign(rows, count: n, dimension: dimension, centroidCodes: centroidCodes, centroidScales: centroidScales,
                    parallelism: parallelism)
    }

    static func assign(_ rows: UnsafePointer<Float>, count n: Int, dimension d: Int, centroidCodes: [Int8], centroidScales: [Float],
                       parallelism: Int) -> [Int32] {
        let listCount = centroidScales.count
        var result = [Int32](repeating: 0, count: n)
        let parts = n >= 1024 ? max(1, min(parallelism, n / 512)) : 1
        let chunk = (n + parts - 1) / parts
        result.withUnsafeMutableBufferPointer { out in
            let target = UnsafeSendable(out), source = UnsafeSendable(rows)
            let work = { (part: Int) in
                var query = [Int16](repeating: 0, count: d)
                centroidCodes.withUnsafeBytes { c in
                    centroidScales.withUnsafeBufferPointer { s in
                        query.withUnsafeMutableBufferPointer { q in
                            for i in (part * chunk)..<min(n, (part + 1) * chunk) {
                                _ = VectorIndex.quantizeQuery(source.value + i * d, d, into: q.baseAddress!)
                                var best = -Float.infinity, bestList = 0
                                var l = 0
                                while l + 4 <= listCount {
                                    let dots = VectorIndex.dot4(UnsafeRawPointer(q.baseAddress!), c.baseAddress! + l * d, d)
                                    let scores = SIMD4<Float>(dots) * UnsafeRawPointer(s.baseAddress! + l).loadUnaligned(as: SIMD4<Float>.self)
                                    if any(scores .> best) {
                                        for lane in 0..<4 where scores[lane] > best { best = scores[lane]; bestList = l + lane }
                                    }
                                    l += 4
                                }
                                while l < listCount {
                                    let score = Float(VectorIndex.dot(UnsafeRawPointer(q.baseAddress!), c.baseAddress! + l * d, d)) * s[l]
                                    if score > best { best = score; bestList = l }
                                    l += 1
                                }
                                target.value[i] = Int32(bestList)
                            }
                        }
                    }
                }
            }
            if parts == 1 { work(0) } else {
                let body = UnsafeSendable(work)
                DispatchQueue.concurrentPerform(iterations: parts) { body.value($0) }
            }
        }
        return result
    }

    /// Spherical k-means on at most `lists × samplePerList` rows drawn at random: centroids
    /// start at distinct sample rows; each round assigns the sample with the int8 kernel and
    /// moves every centroid to its members' normalised mean; an empty list takes a random
    /// sample row instead.
    static let samplePerList = 128
    static let trainingRounds = 10

    static func trainCentroids(rows: UnsafePointer<Float>, count: Int, dimension d: Int, lists: Int, parallelism: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        // A random sample without repeats: the first `sampleCount` of a partial shuffle.
        let sampleCount = min(count, lists * samplePerList)
        var order = Array(0..<count)
        for i in 0..<sampleCount { order.swapAt(i, i + Int(random.next() % UInt64(count - i))) }
        var sample = [Float](repeating: 0, count: sampleCount * d)
        for i in 0..<sampleCount { for j in 0..<d { sample[i * d + j] = rows[order[i] * d + j] } }
        order = []

        var centroids = Array(sample[0..<(lists * d)])  // the first `lists` sample rows: already random and distinct
        for _ in 0..<trainingRounds {
            let (codes, scales) = quantizeRows(centroids, dimension: d)
            let assignment = sample.withUnsafeBufferPointer {
                assign($0.baseAddress!, count: sampleCount, dimension: d, centroidCodes: codes, centroidScales: scales, parallelism: parallelism)
            }
            var sums = [Float](repeating: 0, count: lists * d), members = [Int](repeating: 0, count: lists)
            for i in 0..<sampleCount {
                let l = Int(assignment[i])
                members[l] += 1
                for j in 0..<d { sums[l * d + j] += sample[i * d + j] }
            }
            for l in 0..<lists {
                if members[l] == 0 {
                    let i = Int(random.next() % UInt64(sampleCount))
                    for j in 0..<d { sums[l * d + j] = sample[i * d + j] }
                }
                var norm: Float = 0
                for j in 0..<d { norm += sums[l * d + j] * sums[l * d + j] }
                norm = norm.squareRoot()
                for j in 0..<d { centroids[l * d + j] = norm > 0 ? sums[l * d + j] / norm : 0 }
            }
        }
        return centroids
    }

    /// Rows quantised one by one (``VectorIndex/quantize(_:)``), concatenated.
    static func quantizeRows(_ rows: [Float], dimension d: Int) -> ([Int8], [Float]) {
        var codes: [Int8] = [], scales: [Float] = []
        codes.reserveCapacity(rows.count)
        for r in 0..<(rows.count / d) {
            let (code, scale) = VectorIndex.quantize(Array(rows[(r * d)..<((r + 1) * d)]))
            codes.append(contentsOf: code)
            scales.append(scale)
        }
        return (codes, scales)
    }

    /// `codes × scale` is the row quantised as in the flat index; `residuals × scale / 254` is
    /// what that missed (at most half a step, so it fits ±127). Returns the scale.
    static func quantizeTwoLevel(_ row: UnsafePointer<Float>, _ d: Int, _ codes: inout [Int8], _ residuals: inout [Int8]) -> Float {
        var peak: Float = 0
        for j in 0..<d { peak = max(peak, abs(row[j])) }
        guard peak > 0 else {
            for j in 0..<d { codes[j] = 0; residuals[j] = 0 }
            return 0
        }
        let scale = peak / 127
        for j in 0..<d {
            let coarse = max(-127, min(127, (row[j] / scale).rounded()))
            codes[j] = Int8(coarse)
            residuals[j] = Int8(max(-127, min(127, ((row[j] - coarse * scale) * 254 / scale).rounded())))
        }
        return scale
    }
}
