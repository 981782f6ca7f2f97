/// The name, element type and declared shape of one model input or output.
///
/// ```swift
/// let session = try InferenceSession(modelPath: path, runtime: runtime)
/// session.inputs[0]  // TensorInfo(name: "data", elementType: .float32, shape: [nil, 3, 112, 112])
/// ```
public struct TensorInfo: Sendable, Hashable {
    /// The name feeds and results are keyed by.
    public var name: String
    /// The element type the model declares.
    public var elementType: TensorElementType
    /// The declared dimensions; nil where the model leaves one free (symbolic or -1). Empty for
    /// a scalar, and for a non-tensor value (whose ``elementType`` is ``TensorElementType/other(_:)``).
    public var shape: [Int?]

    public init(name: String, elementType: TensorElementType, shape: [Int?]) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    /// Whether a tensor of `shape` fits: same rank, and equal wherever the model fixes a size.
    func accepts(_ shape: [Int]) -> Bool {
        shape.count == self.shape.count && zip(shape, self.shape).allSatisfy { actual, declared in
            declared.map { $0 == actual } ?? true
        }
    }
}
