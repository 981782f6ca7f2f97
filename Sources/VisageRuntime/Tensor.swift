/// A dense float32 tensor in row-major order: what a session is fed and what it returns.
///
/// ```swift
/// let batch = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
/// ```
public struct Tensor: Sendable, Equatable {
    /// The dimensions, outermost first.
    public let shape: [Int]
    /// `shape`'s product of values, last dimension varying fastest.
    public let values: [Float]

    /// A tensor holding `values` in `shape`.
    ///
    /// - Throws: ``RuntimeError/invalidTensor(shape:valueCount:)`` when a dimension is negative
    ///   or `values.count` is not the product of `shape` (1 for a scalar's empty shape).
    public init(shape: [Int], values: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), Self.elementCount(of: shape) == values.count else {
            throw RuntimeError.invalidTensor(shape: shape, valueCount: values.count)
        }
        self.shape = shape
        self.values = values
    }

    /// For outputs, whose shape and count ONNX Runtime already made consistent.
    init(validatedShape shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// The product of the dimensions, or nil when it overflows `Int`.
    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }
}
