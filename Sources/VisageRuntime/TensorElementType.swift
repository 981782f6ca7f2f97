internal import COnnxRuntime

/// The element type of a model input or output, as ONNX names it.
///
/// ``Tensor`` holds float32 only, which every Visage model takes and returns; the other cases
/// exist so that ``TensorInfo`` can describe any model truthfully and errors can say what a
/// model wanted.
public enum TensorElementType: Sendable, Hashable, CustomStringConvertible {
    case float32, float16, bfloat16, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool, string, complex64, complex128
    /// Not a tensor (a sequence or map), or a type newer than these declarations (ONNX code).
    case other(Int)

    init(onnx type: ONNXTensorElementDataType) {
        self =
            switch type {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: .float32
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: .float16
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: .bfloat16
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: .float64
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: .int8
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: .int16
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: .int32
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: .int64
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: .uint8
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: .uint16
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: .uint32
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: .uint64
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: .bool
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING: .string
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64: .complex64
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128: .complex128
            default: .other(Int(type.rawValue))
            }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float16: "float16"
        case .bfloat16: "bfloat16"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .bool: "bool"
        case .string: "string"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .other(let code): "ONNX type \(code)"
        }
    }
}
