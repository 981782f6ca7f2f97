import Foundation
import Testing
import VisageRuntime

struct InferenceSessionRunTests {
    @Test(arguments: [0, 1, 5])
    func identityReturnsItsInput(batch: Int) throws {
        let session = try Fixture.session(Fixture.identity)
        let input = try Tensor(shape: [batch, 3], values: (0..<batch * 3).map { Float($0) * 0.5 - 1 })
        let result = try session.run(["x": input])
        #expect(result == ["y": input])
    }

    @Test func addAndSubtractReturnEveryOutputByDefault() throws {
        let session = try Fixture.session(Fixture.addSub)
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [2, 3], values: [0.5, 0.5, 0.5, -1, -1, -1])
        let result = try session.run(["a": a, "b": b])
        #expect(result["sum"] == (try Tensor(shape: [2, 3], values: [1.5, 2.5, 3.5, 3, 4, 5])))
        #expect(result["difference"] == (try Tensor(shape: [2, 3], values: [0.5, 1.5, 2.5, 5, 6, 7])))
        #expect(result.count == 2)
    }

    @Test func returnsOnlyTheOutputsAskedFor() throws {
        let session = try Fixture.session(Fixture.addSub)
        let ones = try Tensor(shape: [2, 3], values: Array(repeating: 1, count: 6))
        let result = try session.run(["a": ones, "b": ones], outputs: ["difference"])
        #expect(Array(result.keys) == ["difference"])
        #expect(result["difference"]?.values == Array(repeating: 0, count: 6))
    }

    @Test func anUnknownOutputIsNamed() throws {
        let session = try Fixture.session(Fixture.addSub)
        let ones = try Tensor(shape: [2, 3], values: Array(repeating: 1, count: 6))
        #expect(throws: RuntimeError.unknownOutput(name: "product", available: ["sum", "difference"])) {
            try session.run(["a": ones, "b": ones], outputs: ["product"])
        }
    }

    @Test func anUnknownInputNameIsRejectedBeforeOrtSeesIt() throws {
        let session = try Fixture.session(Fixture.identity)
        let input = try Tensor(shape: [1, 3], values: [1, 2, 3])
        let error = #expect(throws: RuntimeError.inputMismatch(input: "data", problem: .unknown(available: ["x"]))) {
            try session.run(["data": input])
        }
        #expect(error?.errorDescription == "Input 'data' is not an input of the model; it takes x.")
    }

    @Test func aMissingInputIsNamed() throws {
        let session = try Fixture.session(Fixture.addSub)
        let ones = try Tensor(shape: [2, 3], values: Array(repeating: 1, count: 6))
        #expect(throws: RuntimeError.inputMismatch(input: "b", problem: .missing)) {
            try session.run(["a": ones])
        }
    }

    @Test(arguments: [[3, 2], [2, 3, 1], [6]])
    func aShapeThatContradictsStaticDimensionsIsRejected(shape: [Int]) throws {
        let session = try Fixture.session(Fixture.addSub)
        let good = try Tensor(shape: [2, 3], values: Array(repeating: 1, count: 6))
        let bad = try Tensor(shape: shape, values: Array(repeating: 1, count: 6))
        let error = #expect(throws: RuntimeError.inputMismatch(input: "b", problem: .shape(expected: [2, 3], actual: shape))) {
            try session.run(["a": good, "b": bad])
        }
        let described = try #require(error?.errorDescription)
        #expect(described.contains("'b'") && described.contains("[2, 3]"))
    }

    @Test func aFreeBatchDimensionStillChecksTheFixedOnes() throws {
        let session = try Fixture.session(Fixture.identity)
        let input = try Tensor(shape: [3, 2], values: Array(repeating: 1, count: 6))
        let error = #expect(throws: RuntimeError.inputMismatch(input: "x", problem: .shape(expected: [nil, 3], actual: [3, 2]))) {
            try session.run(["x": input])
        }
        #expect(error?.errorDescription == "Input 'x' expects shape [?, 3] but got [3, 2].")
    }

    @Test func aNonFloatInputIsRejected() throws {
        let session = try Fixture.session(Fixture.cast)
        let input = try Tensor(shape: [2], values: [1, 2])
        #expect(throws: RuntimeError.inputMismatch(input: "ids", problem: .elementType(expected: .int64))) {
            try session.run(["ids": input])
        }
    }

    @Test func concurrentRunsFromSeveralTasksEachGetTheirOwnResult() async throws {
        let session = try Fixture.session(Fixture.addSub)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for run in 0..<50 {
                        let base = Float(task * 1000 + run)
                        let a = try Tensor(shape: [2, 3], values: (0..<6).map { base + Float($0) })
                        let b = try Tensor(shape: [2, 3], values: Array(repeating: base, count: 6))
                        let result = try session.run(["a": a, "b": b])
                        #expect(result["sum"]?.values == (0..<6).map { 2 * base + Float($0) })
                        #expect(result["difference"]?.values == (0..<6).map { Float($0) })
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// 2,000 runs returning a 480 kB output: a leaked output value would add ~915 MiB. The bound
    /// leaves room for the tests running beside this one in the same process, which load real
    /// models (SFace alone is ~40 MB, and ORT keeps its own blocked-layout copy of the weights)
    /// while this one measures; with a 48 kB output, their growth (up to 230 MiB seen) was too
    /// close to what a leak adds.
    @Test func twoThousandRunsDoNotGrowTheHeap() throws {
        let session = try Fixture.session(Fixture.identity)
        let input = try Tensor(shape: [40_000, 3], values: Array(repeating: 0.25, count: 120_000))
        for _ in 0..<100 {
            _ = try session.run(["x": input])
        }
        let before = residentBytes()
        for _ in 0..<2_000 {
            _ = try session.run(["x": input])
        }
        let growth = residentBytes() - before
        #expect(growth < 400 << 20, "resident memory grew by \(growth >> 20) MiB over 2,000 runs")
    }

    private func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
