import Testing
import VisageRuntime

struct TensorTests {
    @Test func holdsValuesWhoseCountIsTheShapesProduct() throws {
        let tensor = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(tensor.shape == [2, 3])
        #expect(tensor.values.count == 6)
    }

    @Test func aScalarHasAnEmptyShapeAndOneValue() throws {
        #expect(try Tensor(shape: [], values: [42]).values == [42])
    }

    @Test func aZeroDimensionHoldsNoValues() throws {
        #expect(try Tensor(shape: [0, 3], values: []).values.isEmpty)
    }

    @Test(arguments: [([2, 3], 5), ([2, 3], 7), ([], 0), ([-1, 3], 3), ([Int.max, 2], 0)])
    func aCountThatDoesNotMatchTheShapeIsRejected(shape: [Int], count: Int) {
        #expect(throws: RuntimeError.invalidTensor(shape: shape, valueCount: count)) {
            try Tensor(shape: shape, values: Array(repeating: 0, count: count))
        }
    }
}
