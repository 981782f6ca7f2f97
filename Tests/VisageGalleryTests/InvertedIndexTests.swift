import Testing
import VisageTestSupport
import VisageGallery

/// The inverted layout of ``VectorIndex`` against brute force on small data: 32-d rows, one
/// or two thousand of them, 16 lists (small enough for debug builds).
struct InvertedIndexTests {
    static let dimension = 32

    /// `people` identities with `each` templates: unit centres plus noise, so two templates of
    /// one person score about 0.7, as SFace does.
    static func clustered(people: Int, each: Int, seed: UInt64) -> [[Float]] {
        var generator = SeededGenerator(state: seed)
        var rows: [[Float]] = []
        for _ in 0..<people {
            let centre = Fixtures.randomUnitVector(dimension, using: &generator)
            for _ in 0..<each { rows.append(template(centre, using: &generator)) }
        }
        return rows
    }

    static func template(_ centre: [Float], using generator: inout SeededGenerator) -> [Float] {
        let noise = Fixtures.randomUnitVector(dimension, using: &generator)
        let v = zip(centre, noise).map { 0.85 * $0 + 0.55 * $1 }
        let norm = v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / norm }
    }

    static func index(_ rows: [[Float]], threshold: Int, lists: Int = 16) -> VectorIndex {
        var index = VectorIndex(dimension: dimension, parallelism: 2, invertedThreshold: threshold, lists: lists)
        index.append(contentsOf: rows.flatMap { $0 })
        return index
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 } }

    static func bruteForce(_ rows: [[Float]], _ query: [Float], k: Int) -> [Int] {
        rows.indices.map { ($0, dot(rows[$0], query)) }.sorted { $0.1 > $1.1 }.prefix(k).map(\.0)
    }

    @Test func switchesToListsAboveTheThresholdAndKeepsEveryRow() {
        let rows = Self.clustered(people: 300, each: 4, seed: 1)
        var index = Self.index(Array(rows.prefix(900)), threshold: 900)
        #expect(index.layout == .flat)
        index.append(rows[900])
        #expect(index.layout == .inverted(lists: 16))
        #expect(index.count == 901 && index.trainingSeconds != nil)
        index.append(contentsOf: rows[901...].flatMap { $0 })
        #expect(index.count == 1200)
        // Rows come back from their two-level codes, in order, within the residual step.
        let worst = rows.indices.map { row in zip(index.vector(at: row), rows[row]).map { abs($0 - $1) }.max()! }.max()!
        #expect(worst < 1e-4)
        // Far smaller than flat: no float32 copy. Per row: two int8 codes, scale, row number, list,
        // and d/4 bytes of fast-scan codes (blocks of 32 rows, so up to 31 rows' worth of padding
        // per list); the centroids and the fast-scan codebooks (16 floats per dimension).
        let fastCodes = 1200 * Self.dimension / 4 + 16 * 31 * Self.dimension / 4
        #expect(index.memoryBytes < 1200 * (Self.dimension * 2 + 12) + fastCodes + 16 * Self.dimension * 5 + 16 * Self.dimension * 4)
    }

    @Test func scanningEveryListMatchesBruteForce() {
        let rows = Self.clustered(people: 300, each: 5, seed: 2)
        let index = Self.index(rows, threshold: 1000)
        var generator = SeededGenerator(state: 3)
        var found = 0
        for _ in 0..<10 {
            let query = Fixtures.randomUnitVector(Self.dimension, using: &generator)
            let truth = Self.bruteForce(rows, query, k: 10)
            let all = index.search(query, k: 10, mode: .inverted(probes: 16, rerankFactor: 4))
            #expect(all == index.search(query, k: 10, mode: .exact))
            #expect(all.map(\.score) == all.map(\.score).sorted(by: >))
            found += Set(all.map(\.row)).intersection(truth).count
            for hit in all { #expect(abs(hit.score - Self.dot(rows[hit.row], query)) < 1e-4) }
        }
        #expect(found == 100, "the re-rank from two-level codes orders as float32 does")
    }

    @Test func fewListsFindAPersonsOtherTemplates() {
        let rows = Self.clustered(people: 300, each: 5, seed: 4)
        let index = Self.index(rows, threshold: 1000)
        var ownFound = 0, recallFew = 0, recallMore = 0
        for person in stride(from: 0, to: 300, by: 15) {
            // A new template of an enrolled person: the person's five should lead.
            var generator = SeededGenerator(state: UInt64(100 + person))
            let centre = rows[(person * 5)..<(person * 5 + 5)].reduce([Float](repeating: 0, count: Self.dimension)) { zip($0, $1).map(+) }
            let query = Self.template(centre.map { $0 / 5 }, using: &generator)
            let truth = Set(Self.bruteForce(rows, query, k: 10))
            let few = index.search(query, k: 10, mode: .inverted(probes: 4, rerankFactor: 4)).map(\.row)
            let more = index.search(query, k: 10, mode: .inverted(probes: 8, rerankFactor: 4)).map(\.row)
            ownFound += few.filter { $0 / 5 == person }.count
            recallFew += truth.intersection(few).count
            recallMore += truth.intersection(more).count
        }
        #expect(ownFound >= 80, "\(ownFound) of the 100 own templates among the top 10 with a quarter of the lists")
        #expect(recallMore >= recallFew)
    }

    @Test func appendsAfterTheSwitchAreFound() {
        let rows = Self.clustered(people: 300, each: 5, seed: 5)
        var index = Self.index(Array(rows.prefix(1100)), threshold: 1000)
        for row in rows[1100...] { index.append(row) }
        #expect(index.count == 1500)
        for row in stride(from: 1100, to: 1500, by: 23) {
            let hit = index.search(rows[row], k: 1, mode: .inverted(probes: 3, rerankFactor: 4))[0]
            #expect(hit.row == row && abs(hit.score - 1) < 1e-4)
        }
        #expect(index.search(rows[1499], k: 1, mode: .automatic)[0].row == 1499)
    }

    @Test func removalsRenumberAsTheFlatIndexDoes() {
        var rows = Self.clustered(people: 300, each: 5, seed: 6)
        var index = Self.index(rows, threshold: 1000)
        let removed: Set<Int> = [0, 1, 2, 3, 4, 777, 1000, 1200, 1499]
        index.remove(rows: removed)
        rows = rows.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        #expect(index.count == rows.count)
        for row in stride(from: 0, to: rows.count, by: 7) {
            #expect(zip(index.vector(at: row), rows[row]).allSatisfy { abs($0 - $1) < 1e-4 })
        }
        var generator = SeededGenerator(state: 7)
        for _ in 0..<10 {
            let query = Fixtures.randomUnitVector(Self.dimension, using: &generator)
            #expect(index.search(query, k: 10, mode: .exact).map(\.row) == Self.bruteForce(rows, query, k: 10))
        }
        // Appends after a removal take the next numbers.
        index.append(rows[5])
        #expect(index.search(rows[5], k: 2, mode: .exact).map(\.row).sorted() == [5, rows.count])
    }

    @Test func automaticIsExactWhileFlat() {
        let rows = Self.clustered(people: 100, each: 5, seed: 8)
        let index = Self.index(rows, threshold: 1000)
        #expect(index.layout == .flat)
        var generator = SeededGenerator(state: 9)
        let query = Fixtures.randomUnitVector(Self.dimension, using: &generator)
        #expect(index.search(query, k: 10, mode: .automatic) == index.search(query, k: 10, mode: .exact))
        #expect(index.search(query, k: 10, mode: .inverted).map(\.row) == index.search(query, k: 10, mode: .compact).map(\.row))
    }
}
