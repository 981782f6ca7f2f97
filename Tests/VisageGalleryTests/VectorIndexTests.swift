import Testing
import VisageTestSupport
import VisageGallery

struct VectorIndexTests {
    static func randomIndex(rows: Int, seed: UInt64, parallelism: Int = 2) -> (VectorIndex, [[Float]]) {
        var generator = SeededGenerator(state: seed)
        var index = VectorIndex(dimension: 128, parallelism: parallelism)
        var vectors: [[Float]] = []
        for _ in 0..<rows {
            let v = Fixtures.randomUnitVector(using: &generator)
            vectors.append(v)
            index.append(v)
        }
        return (index, vectors)
    }

    static func bruteForce(_ vectors: [[Float]], _ query: [Float], k: Int) -> [Int] {
        vectors.indices.map { i in (i, zip(vectors[i], query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
            .sorted { $0.1 > $1.1 }.prefix(k).map(\.0)
    }

    @Test(arguments: [1, 2, 3])
    func exactSearchMatchesBruteForce(parallelism: Int) {
        let (index, vectors) = Self.randomIndex(rows: 10_000, seed: 11, parallelism: parallelism)
        var generator = SeededGenerator(state: 99)
        for _ in 0..<5 {
            let query = Fixtures.randomUnitVector(using: &generator)
            let hits = index.search(query, k: 10)
            #expect(hits.map(\.row) == Self.bruteForce(vectors, query, k: 10))
            #expect(hits.map(\.score) == hits.map(\.score).sorted(by: >))
        }
        // A stored vector finds itself first, with similarity 1.
        let hit = index.search(vectors[1234], k: 1)[0]
        #expect(hit.row == 1234 && abs(hit.score - 1) < 1e-5)
    }

    @Test func compactSearchRecallsTheExactTopTen() {
        let (index, _) = Self.randomIndex(rows: 20_000, seed: 5)
        var generator = SeededGenerator(state: 6)
        var found = 0
        for _ in 0..<20 {
            let query = Fixtures.randomUnitVector(using: &generator)
            let exact = Set(index.search(query, k: 10).map(\.row))
            found += Set(index.search(query, k: 10, mode: .compact).map(\.row)).intersection(exact).count
        }
        #expect(Double(found) / 200 >= 0.99)
    }

    /// The four-row int8 kernel against float32, where the blocks do not fit exactly: 100
    /// dimensions (six 16-byte slices and a 4-value tail) and 1,003 rows (three left over).
    @Test func int8ScoresFollowFloatWithOddSizes() {
        var generator = SeededGenerator(state: 31)
        var index = VectorIndex(dimension: 100, parallelism: 1)
        var vectors: [[Float]] = []
        for _ in 0..<1003 {
            let v = Fixtures.randomUnitVector(100, using: &generator)
            vectors.append(v)
            index.append(v)
        }
        let query = vectors[1001]  // in the left-over rows
        let hits = index.search(query, k: 1003, mode: .int8)
        #expect(hits.count == 1003)
        #expect(hits[0].row == 1001 && abs(hits[0].score - 1) < 0.01)
        let worst = hits.map { hit in abs(hit.score - zip(vectors[hit.row], query).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }.max() ?? 1
        #expect(worst < 0.02, "int8 scores within quantisation error of float32")
        #expect(Set(hits.map(\.row)).count == 1003)
    }

    @Test func removingRowsKeepsTheOthersInOrder() {
        var (index, vectors) = Self.randomIndex(rows: 100, seed: 8)
        index.remove(rows: [0, 50, 99])
        vectors = vectors.enumerated().filter { ![0, 50, 99].contains($0.offset) }.map(\.element)
        #expect(index.count == 97)
        for (i, v) in vectors.enumerated() { #expect(index.vector(at: i) == v) }
        #expect(index.search(vectors[60], k: 1)[0].row == 60)
    }

    @Test func emptyIndexAndLargeK() {
        var index = VectorIndex(dimension: 128)
        #expect(index.search([Float](repeating: 0, count: 128), k: 5).isEmpty)
        index.append([1] + [Float](repeating: 0, count: 127))
        #expect(index.search([1] + [Float](repeating: 0, count: 127), k: 5).count == 1)
    }

    @Test func galleryIndexScoresEachPersonByTheirBestTemplate() {
        var generator = SeededGenerator(state: 21)
        var index = GalleryIndex(dimension: 128)
        var id: Int64 = 0
        var people: [Int64: [[Float]]] = [:]
        for person in Int64(1)...Int64(200) {
            for _ in 0..<(1 + Int(person % 7)) {
                id += 1
                let v = Fixtures.randomUnitVector(using: &generator)
                people[person, default: []].append(v)
                index.add(Template(id: id, personID: person, embedding: v, model: "m"))
            }
        }
        let query = Fixtures.randomUnitVector(using: &generator)
        let best = people.map { person, vs in (person, vs.map { v in zip(v, query).reduce(Float(0)) { $0 + $1.0 * $1.1 } }.max()!) }
            .sorted { $0.1 > $1.1 }
        let candidates = index.search(query, k: 10)
        #expect(candidates.map(\.personID) == best.prefix(10).map(\.0))
        #expect(Set(candidates.map(\.personID)).count == 10)
        index.removePerson(best[0].0)
        #expect(index.search(query, k: 1)[0].personID == best[1].0)
        #expect(index.personCount == 199)
    }

    /// `visage identify --top-k 9223372036854775807` trapped on `k * templates per person`.
    @Test func aHugeKListsEveryoneOnce() {
        var generator = SeededGenerator(state: 22)
        var index = GalleryIndex(dimension: 128)
        var id: Int64 = 0
        for person in Int64(1)...Int64(3) {
            for _ in 0..<2 {
                id += 1
                index.add(Template(id: id, personID: person, embedding: Fixtures.randomUnitVector(using: &generator), model: "m"))
            }
        }
        let candidates = index.search(Fixtures.randomUnitVector(using: &generator), k: Int.max)
        #expect(candidates.map(\.personID).sorted() == [1, 2, 3])
    }

    /// `visage bench search --k 9223372036854775807` trapped on `k * rerank factor`.
    @Test(arguments: [VectorIndex.Mode.exact, .int8, .compact(rerankFactor: 4)])
    func aHugeKReturnsEveryRow(mode: VectorIndex.Mode) {
        var generator = SeededGenerator(state: 23)
        var index = VectorIndex(dimension: 128)
        for _ in 0..<10 { index.append(Fixtures.randomUnitVector(using: &generator)) }
        #expect(index.search(Fixtures.randomUnitVector(using: &generator), k: Int.max, mode: mode).count == 10)
    }
}
