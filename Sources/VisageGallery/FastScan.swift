import CVectorKernels
import Dispatch
import VisageCore

/// The fast-scan pass of the inverted layout: 4-bit product-quantisation codes scored 32 rows
/// at a time through a per-query table of uint8 partial scores (the AVX2 `pshufb` kernel in
/// CVectorKernels, or its scalar twin), so that a scan reads `subspaces / 2` bytes per row
/// instead of the int8 codes' `dimension`.
///
/// The vector is split into `subspaces` sub-vectors (sub-space s covers dimensions
/// [s·d/m, (s+1)·d/m)); each has 16 centroids, trained by k-means on a sample, and a row keeps
/// the number of its nearest centroid per sub-space. For a query, table entry (s, c) is the
/// query's sub-vector · centroid c: a row's approximate score is the sum of its entries. The
/// entries are quantised to uint8 (per sub-space offset, one scale) so the sums fit 16 bits.
struct ProductQuantizer: Sendable {
    let dimension: Int
    /// Even, at most 128 (so 16-bit sums of uint8 entries cannot overflow or go negative as Int16).
    let subspaces: Int
    /// 16 floats per dimension: centroid c's value at dimension j is `codebooks[16 j + c]`.
    private(set) var codebooks: [Float]

    /// Bytes of one block of 32 rows.
    var blockBytes: Int { 16 * subspaces }

    /// The default sub-space count: two dimensions each (64 for SFace's 128), even, at most 128.
    static func defaultSubspaces(dimension: Int) -> Int { max(2, min(128, (dimension / 2) & ~1)) }

    static let sampleSize = 32_768
    static let trainingRounds = 12

    /// K-means (L2) per sub-space on up to ``sampleSize`` rows drawn at random from `rows`.
    init(dimension d: Int, subspaces: Int, rows: UnsafePointer<Float>, count: Int, parallelism: Int, seed: UInt64) {
        precondition(subspaces >= 2 && subspaces % 2 == 0 && subspaces <= 128 && subspaces <= 2 * d, "sub-spaces must be even, 2–128, at most 2 × dimension")
        dimension = d
        self.subspaces = subspaces
        var random = SeededGenerator(seed: seed ^ 0x50_51)
        let n = min(count, Self.sampleSize)
        var sample = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let source = count <= Self.sampleSize ? i : Int(random.next() % UInt64(count))
            for j in 0..<d { sample[i * d + j] = rows[source * d + j] }
        }
        // Start from 16 sample rows (cycling when the sample is smaller).
        var codebooks = [Float](repeating: 0, count: 16 * d)
        for c in 0..<16 {
            let i = n > 16 ? Int(random.next() % UInt64(n)) : c % n
            for j in 0..<d { codebooks[16 * j + c] = sample[i * d + j] }
        }
        self.codebooks = codebooks
        let m = subspaces
        for _ in 0..<Self.trainingRounds {
            let codes = sample.withUnsafeBufferPointer { encode($0.baseAddress!, count: n, parallelism: parallelism) }
            var sums = [Float](repeating: 0, count: 16 * d), members = [Int](repeating: 0, count: 16 * m)
            for i in 0..<n {
                for s in 0..<m {
                    let c = Int(codes[i * m + s])
                    members[16 * s + c] += 1
                    for j in (s * d / m)..<((s + 1) * d / m) { sums[16 * j + c] += sample[i * d + j] }
                }
            }
            for s in 0..<m {
                for c in 0..<16 {
                    let size = members[16 * s + c]
                    let refill = size == 0 ? Int(random.next() % UInt64(n)) : 0
                    for j in (s * d / m)..<((s + 1) * d / m) {
                        self.codebooks[16 * j + c] = size > 0 ? sums[16 * j + c] / Float(size) : sample[refill * d + j]
                    }
                }
            }
        }
    }

    /// The codes of `count` rows, `subspaces` bytes per row (one code 0–15 each), in parallel.
    func encode(_ rows: UnsafePointer<Float>, count n: Int, parallelism: Int) -> [UInt8] {
        var codes = [UInt8](repeating: 0, count: n * subspaces)
        let d = dimension, m = subspaces
        let parts = n >= 2048 ? max(1, min(parallelism, n / 1024)) : 1
        let chunk = (n + parts - 1) / parts
        codebooks.withUnsafeBufferPointer { book in
            codes.withUnsafeMutableBufferPointer { out in
                let target = UnsafeSendable(out), source = UnsafeSendable(rows), table = UnsafeSendable(book)
                let work = { (part: Int) in
                    let begin = part * chunk, end = min(n, begin + chunk)
                    guard begin < end else { return }
                    vk_pq_encode(source.value + begin * d, end - begin, d, m, table.value.baseAddress!, target.value.baseAddress! + begin * m)
                }
                if parts == 1 { work(0) } else {
                    let body = UnsafeSendable(work)
                    DispatchQueue.concurrentPerform(iterations: parts) { body.value($0) }
                }
            }
        }
        return codes
    }

    /// The query's table: `16 × subspaces` uint8 entries, and how to read a sum of them back as a
    /// score: `offset + sum × step` (each entry is within step / 2 of its float value).
    func table(for query: [Float]) -> (entries: [UInt8], offset: Float, step: Float) {
        let d = dimension, m = subspaces
        var values = [Float](repeating: 0, count: 16 * m)
        var minimum = [Float](repeating: 0, count: m)
        var widest: Float = 0
        for s in 0..<m {
            for j in (s * d / m)..<((s + 1) * d / m) {
                let q = query[j]
                for c in 0..<16 { values[16 * s + c] += q * codebooks[16 * j + c] }
            }
            let row = values[(16 * s)..<(16 * s + 16)]
            minimum[s] = row.min()!
            widest = max(widest, row.max()! - minimum[s])
        }
        let step = widest > 0 ? widest / 255 : 1
        var entries = [UInt8](repeating: 0, count: 16 * m)
        for s in 0..<m {
            for c in 0..<16 { entries[16 * s + c] = UInt8(max(0, min(255, ((values[16 * s + c] - minimum[s]) / step).rounded()))) }
        }
        return (entries, minimum.reduce(0, +), step)
    }

    // MARK: - The block layout (see CVectorKernels.h)

    /// Byte and shift of row `position`'s code for sub-space `s`.
    @inline(__always)
    func place(_ position: Int, _ s: Int) -> (byte: Int, shift: UInt8) {
        let i = position & 31
        return ((position >> 5) * blockBytes + 16 * s + (i & 15), i < 16 ? 0 : 4)
    }

    /// Writes the row's `subspaces` codes at `position` (whose nibbles must be zero), growing
    /// `blocks` by a zeroed block when the position starts one.
    func store(_ code: UnsafePointer<UInt8>, at position: Int, in blocks: inout [UInt8]) {
        if position & 31 == 0 { blocks.append(contentsOf: repeatElement(0, count: blockBytes)) }
        for s in 0..<subspaces {
            let (byte, shift) = place(position, s)
            blocks[byte] |= (code[s] & 15) << shift
        }
    }

    /// Moves the codes at `from` to `to` (an earlier position), leaving `from`'s as they were.
    func move(from: Int, to: Int, in blocks: inout [UInt8]) {
        for s in 0..<subspaces {
            let (source, sourceShift) = place(from, s), (target, targetShift) = place(to, s)
            let code = (blocks[source] >> sourceShift) & 15
            blocks[target] = (blocks[target] & ~(15 << targetShift)) | (code << targetShift)
        }
    }

    /// Keeps the first `rows` positions: drops whole blocks past them and zeroes the rest of the last block.
    func truncate(_ blocks: inout [UInt8], to rows: Int) {
        let keptBlocks = (rows + 31) / 32
        blocks.removeLast(blocks.count - keptBlocks * blockBytes)
        guard rows & 31 != 0 else { return }
        for position in rows..<(keptBlocks * 32) {
            for s in 0..<subspaces {
                let (byte, shift) = place(position, s)
                blocks[byte] &= ~(15 << shift)
            }
        }
    }
}

/// The best candidates of a fast scan by 16-bit score, kept loosely: rows above ``threshold``
/// are collected, and when twice ``keep`` have gathered, a histogram of their scores finds the
/// `keep`-th best, which becomes the threshold (ties with it stay; later rows must beat it).
struct FastScanReservoir {
    let keep: Int
    private(set) var ids: [Int] = []
    private(set) var scores: [UInt16] = []
    /// Rows must score above this to enter (-1: every row).
    private(set) var threshold: Int32 = -1
    private var compactAt: Int

    init(keep: Int) {
        self.keep = max(1, keep)
        compactAt = 2 * self.keep
        ids.reserveCapacity(compactAt + 32)
        scores.reserveCapacity(compactAt + 32)
    }

    mutating func add(_ id: Int, _ score: UInt16) {
        ids.append(id)
        scores.append(score)
    }

    /// Call after a batch of ``add(_:_:)``: compacts when full.
    mutating func settle() {
        if ids.count >= compactAt { compact() }
    }

    /// Cuts to the `keep` best (and ties with the `keep`-th); raises ``threshold`` to its score.
    mutating func compact() {
        guard ids.count > keep else { return }
        var histogram = [Int32](repeating: 0, count: Int(UInt16.max) + 1)
        for score in scores { histogram[Int(score)] += 1 }
        var cut = Int(UInt16.max), above = 0
        while cut > 0 {
            above += Int(histogram[cut])
            if above >= keep { break }
            cut -= 1
        }
        var kept = 0
        for i in 0..<ids.count where Int(scores[i]) >= cut {
            ids[kept] = ids[i]
            scores[kept] = scores[i]
            kept += 1
        }
        ids.removeLast(ids.count - kept)
        scores.removeLast(scores.count - kept)
        threshold = max(threshold, Int32(cut))
        compactAt = max(2 * keep, kept + keep)
    }

    /// Another task's candidates.
    mutating func merge(_ other: FastScanReservoir) {
        ids.append(contentsOf: other.ids)
        scores.append(contentsOf: other.scores)
    }
}
