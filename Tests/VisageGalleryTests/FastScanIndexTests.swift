import CVectorKernels
import Testing
import VisageTestSupport
import VisageGallery

/// The fast-scan pass of the inverted layout: the AVX2 kernel against its scalar twin, and
/// `.fastScan` searches against brute force, through appends, removals and ``GalleryIndex``.
struct FastScanIndexTests {
    /// Packs per-row codes (0–15, `m` per row) into the kernel's blocks of 32 rows (CVectorKernels.h).
    static func pack(_ codes: [[UInt8]], m: Int) -> [UInt8] {
        var blocks = [UInt8](repeating: 0, count: (codes.count + 31) / 32 * 16 * m)
        for (row, code) in codes.enumerated() {
            for s in 0..<m {
                let byte = (row / 32) * 16 * m + 16 * s + (row % 32) % 16
                blocks[byte] |= code[s] << ((row % 32) < 16 ? 0 : 4)
            }
        }
        return blocks
    }

    @Test(arguments: [2, 6, 16, 64, 128])
    func avx2KernelMatchesScalarAndTheSums(m: Int) {
        var generator = SeededGenerator(state: UInt64(m))
        let table = (0..<(16 * m)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for rows in [1, 31, 32, 33, 100, 1000] {
            let codes = (0..<rows).map { _ in (0..<m).map { _ in UInt8(generator.next() % 16) } }
            let sums = codes.map { code in (0..<m).reduce(0) { $0 + Int(table[16 * $1 + Int(code[$1])]) } }
            let blocks = Self.pack(codes, m: m)
            let sorted = sums.sorted()
            for threshold in [-1, Int32(sorted[rows / 2]), Int32(sorted[rows - 1]), 40_000] {
                var p1 = [UInt32](repeating: 0, count: rows), s1 = [UInt16](repeating: 0, count: rows)
                var p2 = p1, s2 = s1, p3 = p1, s3 = s1
                let n1 = vk_fastscan_filter(blocks, rows, m, table, Int32(threshold), &p1, &s1)
                let n2 = vk_fastscan_filter_scalar(blocks, rows, m, table, Int32(threshold), &p2, &s2)
                let n3 = vk_fastscan_filter_avx2(blocks, rows, m, table, Int32(threshold), &p3, &s3)
                #expect(n3 == n2 && Array(p3.prefix(n3)) == Array(p2.prefix(n2)) && Array(s3.prefix(n3)) == Array(s2.prefix(n2)),
                        "AVX2 and scalar kernels differ (m \(m), \(rows) rows, threshold \(threshold))")
                let expected = sums.indices.filter { sums[$0] > Int(threshold) }
                #expect(n1 == n2 && Array(p1.prefix(n1)) == Array(p2.prefix(n2)) && Array(s1.prefix(n1)) == Array(s2.prefix(n2)),
                        "the dispatched kernel and the scalar one differ (m \(m), \(rows) rows, threshold \(threshold))")
                #expect(p2.prefix(n2).map(Int.init) == expected)
                #expect(s2.prefix(n2).map(Int.init) == expected.map { sums[$0] })
            }
        }
        // Says which kernels the test exercised.
        print("fast-scan kernels: AVX2 \(vk_has_avx2() != 0), AVX-512BW \(vk_has_avx512bw() != 0) (used when m is a multiple of 4)")
    }

    static let dimension = InvertedIndexTests.dimension

    @Test func fastScanRecallsTheExactTopTen() {
        let rows = InvertedIndexTests.clustered(people: 400, each: 5, seed: 41)
        let index = InvertedIndexTests.index(rows, threshold: 1000)
        #expect(index.layout == .inverted(lists: 16) && index.fastScanSubspaces == 16)
        var generator = SeededGenerator(state: 42)
        var found = 0, foundFewLists = 0
        for _ in 0..<20 {
            let query = Fixtures.randomUnitVector(Self.dimension, using: &generator)
            let truth = InvertedIndexTests.bruteForce(rows, query, k: 10)
            let hits = index.search(query, k: 10, mode: .fastScan(probes: .max, candidates: 200))
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
            for hit in hits { #expect(abs(hit.score - InvertedIndexTests.dot(rows[hit.row], query)) < 1e-4) }
            found += Set(hits.map(\.row)).intersection(truth).count
            foundFewLists += Set(index.search(query, k: 10, mode: .fastScan(probes: 8, candidates: 200)).map(\.row)).intersection(truth).count
            // The default mode of a large index is the fast scan.
            #expect(index.search(query, k: 10, mode: .automatic) == index.search(query, k: 10, mode: .fastScan))
        }
        #expect(found >= 198, "recall@10 \(Double(found) / 200) with 200 candidates of 2,000 rows")
        #expect(foundFewLists <= found)
        // With every row a candidate the fast scan is the all-lists re-rank.
        let query = rows[17]
        #expect(index.search(query, k: 10, mode: .fastScan(probes: .max, candidates: 2000)).map(\.row) == index.search(query, k: 10, mode: .exact).map(\.row))
    }

    @Test func appendsAndRemovalsKeepTheCodesInPlace() {
        var rows = InvertedIndexTests.clustered(people: 300, each: 5, seed: 43)
        var index = InvertedIndexTests.index(Array(rows.prefix(1001)), threshold: 1000)
        for row in rows[1001...] { index.append(row) }  // one by one: blocks filled and started
        let removed: Set<Int> = [0, 31, 32, 33, 500, 1001, 1200, 1499]
        index.remove(rows: removed)
        rows = rows.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        rows.append(contentsOf: InvertedIndexTests.clustered(people: 20, each: 5, seed: 44))
        index.append(contentsOf: rows[(rows.count - 100)...].flatMap { $0 })
        #expect(index.count == rows.count)
        // Every row, moved or appended, is found from its own codes among few candidates.
        for row in stride(from: 0, to: rows.count, by: 3) {
            let hit = index.search(rows[row], k: 1, mode: .fastScan(probes: .max, candidates: 20))
            #expect(hit.first?.row == row && abs((hit.first?.score ?? 0) - 1) < 1e-4, "row \(row)")
        }
        var generator = SeededGenerator(state: 45)
        var found = 0
        for _ in 0..<10 {
            let query = Fixtures.randomUnitVector(Self.dimension, using: &generator)
            found += Set(index.search(query, k: 10, mode: .fastScan(probes: .max, candidates: 200)).map(\.row))
                .intersection(InvertedIndexTests.bruteForce(rows, query, k: 10)).count
        }
        #expect(found >= 99)
    }

    @Test func galleryIndexSearchesThroughTheFastScan() {
        var generator = SeededGenerator(state: 46)
        var index = GalleryIndex(dimension: Self.dimension, invertedThreshold: 500)
        var people: [Int64: [[Float]]] = [:]
        var id: Int64 = 0
        for person in Int64(1)...Int64(250) {
            let centre = Fixtures.randomUnitVector(Self.dimension, using: &generator)
            for _ in 0..<4 {
                id += 1
                let v = InvertedIndexTests.template(centre, using: &generator)
                people[person, default: []].append(v)
                index.add(Template(id: id, personID: person, embedding: v, model: "m"))
            }
        }
        #expect(index.vectors.layout != .flat)
        func best(_ query: [Float]) -> [Int64] {
            people.map { person, vs in (person, vs.map { InvertedIndexTests.dot($0, query) }.max()!) }.sorted { $0.1 > $1.1 }.map(\.0)
        }
        let query = InvertedIndexTests.template(people[77]![0], using: &generator)
        #expect(index.search(query, k: 1, mode: .automatic).first?.personID == 77)
        #expect(index.search(query, k: 5, mode: .automatic).map(\.personID) == Array(best(query).prefix(5)))
        index.removePerson(77)
        people[77] = nil
        #expect(index.search(query, k: 5, mode: .automatic).map(\.personID) == Array(best(query).prefix(5)))
        index.add(Template(id: id + 1, personID: 77, embedding: query, model: "m"))
        #expect(index.search(query, k: 1, mode: .automatic).first?.personID == 77)
        #expect(index.personCount == 250)
    }
}
