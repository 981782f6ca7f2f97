internal import COnnxRuntime

/// ONNX Runtime's function table, with the idioms every call shares.
///
/// `@unchecked Sendable`: the table is immutable, process-lifetime memory inside the library.
struct OrtFunctions: @unchecked Sendable {
    let api: UnsafePointer<OrtApi>

    /// Throws ``RuntimeError/ortFailure(code:message:)`` for a non-nil status, releasing it:
    /// every ORT call returns NULL on success and an owned status on failure.
    func check(_ status: OpaquePointer?) throws(RuntimeError) {
        guard let status else { return }
        defer { api.pointee.ReleaseStatus!(status) }
        let code = api.pointee.GetErrorCode!(status)
        let message = api.pointee.GetErrorMessage!(status).map { String(cString: $0) } ?? ""
        throw .ortFailure(code: Int(code.rawValue), message: message)
    }

    /// The element type and dimensions in `info`; ORT reports a free dimension as -1.
    func typeAndShape(_ info: OpaquePointer) throws(RuntimeError) -> (ONNXTensorElementDataType, [Int64]) {
        var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try check(api.pointee.GetTensorElementType!(info, &type))
        var rank = 0
        try check(api.pointee.GetDimensionsCount!(info, &rank))
        var dimensions = [Int64](repeating: 0, count: rank)
        try check(api.pointee.GetDimensions!(info, &dimensions, rank))
        return (type, dimensions)
    }
}
