internal import COnnxRuntime

extension InferenceSession {
    /// Runs the model once on `feeds` and returns the outputs asked for.
    ///
    /// ```swift
    /// let result = try session.run(["a": a, "b": b], outputs: ["sum"])
    /// let sum = result["sum"]!
    /// ```
    ///
    /// Feeds are checked against ``inputs`` before ONNX Runtime sees them, then handed to it
    /// without a copy; outputs are copied out, so nothing returned refers to ORT's memory.
    ///
    /// - Parameters:
    ///   - feeds: One tensor per declared input, keyed by input name.
    ///   - names: The outputs to compute. Default nil: all of ``outputs``.
    /// - Returns: A tensor per output name.
    /// - Throws: ``RuntimeError/inputMismatch(input:problem:)`` for an unknown or missing
    ///   input, a shape that contradicts a declared dimension, or a non-float32 input;
    ///   ``RuntimeError/unknownOutput(name:available:)``; ``RuntimeError/ortFailure(code:message:)``
    ///   when ONNX Runtime fails anyway; ``RuntimeError/unsupportedOutput(name:elementType:)``
    ///   for an output that is not float32.
    public func run(_ feeds: [String: Tensor], outputs names: [String]? = nil) throws -> [String: Tensor] {
        let fed = try orderedFeeds(feeds)
        let wanted = try outputIndices(names)
        var values: [OpaquePointer?] = []
        values.reserveCapacity(fed.count)
        return try withInputValues(fed[...], &values) { values throws(RuntimeError) in
            let start = ContinuousClock.now
            defer { statistics.record(ContinuousClock.now - start) }
            return try execute(inputs: values, outputs: wanted)
        }
    }

    /// The feeds in declared input order, after checking names, element types and shapes.
    private func orderedFeeds(_ feeds: [String: Tensor]) throws(RuntimeError) -> [Tensor] {
        let declared = inputs.map(\.name)
        // Sorted so that, with several bad names, the one reported does not vary between runs.
        if let unknown = feeds.keys.sorted().first(where: { !declared.contains($0) }) {
            throw .inputMismatch(input: unknown, problem: .unknown(available: declared))
        }
        return try inputs.map { (input) throws(RuntimeError) -> Tensor in
            guard let tensor = feeds[input.name] else {
                throw .inputMismatch(input: input.name, problem: .missing)
            }
            guard input.elementType == .float32 else {
                throw .inputMismatch(input: input.name, problem: .elementType(expected: input.elementType))
            }
            guard input.accepts(tensor.shape) else {
                throw .inputMismatch(input: input.name, problem: .shape(expected: input.shape, actual: tensor.shape))
            }
            return tensor
        }
    }

    /// Indices into ``outputs`` of the requested names, all of them for nil.
    private func outputIndices(_ names: [String]?) throws(RuntimeError) -> [Int] {
        let declared = outputs.map(\.name)
        guard let names else { return Array(declared.indices) }
        return try names.map { (name) throws(RuntimeError) -> Int in
            guard let index = declared.firstIndex(of: name) else {
                throw .unknownOutput(name: name, available: declared)
            }
            return index
        }
    }

    /// Wraps each tensor's own storage in an OrtValue, nesting one buffer scope per tensor so
    /// every buffer stays pinned until `body` (the Run) returns; the values are released after.
    private func withInputValues<Result>(
        _ tensors: ArraySlice<Tensor>,
        _ values: inout [OpaquePointer?],
        _ body: ([OpaquePointer?]) throws(RuntimeError) -> Result
    ) throws(RuntimeError) -> Result {
        guard let tensor = tensors.first else {
            return try body(values)
        }
        let ort = runtime.ort
        let api = ort.api.pointee
        let shape = tensor.shape.map(Int64.init)
        // An empty array may have no storage to point at; ORT wants an address even for 0 bytes.
        let storage = tensor.values.isEmpty ? [0] : tensor.values
        return try storage.withUnsafeBufferPointer { (buffer) throws(RuntimeError) -> Result in
            // ORT never writes to an input; the mutable pointer is only its signature's.
            let data = UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
            var value: OpaquePointer?
            try ort.check(
                api.CreateTensorWithDataAsOrtValue!(
                    runtime.cpuMemory, data, tensor.values.count * MemoryLayout<Float>.stride,
                    shape, shape.count, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &value
                )
            )
            defer { api.ReleaseValue!(value) }
            values.append(value)
            return try withInputValues(tensors.dropFirst(), &values, body)
        }
    }

    private func execute(inputs values: [OpaquePointer?], outputs wanted: [Int]) throws(RuntimeError) -> [String: Tensor] {
        let ort = runtime.ort
        let api = ort.api.pointee
        let fedNames = inputNames.map { UnsafePointer($0) as UnsafePointer<CChar>? }
        let wantedNames = wanted.map { UnsafePointer(outputNames[$0]) as UnsafePointer<CChar>? }
        // ORT allocates each output; we own them from here, also when Run fails halfway.
        var results = [OpaquePointer?](repeating: nil, count: wanted.count)
        defer {
            for result in results {
                api.ReleaseValue!(result)
            }
        }
        try ort.check(
            api.Run!(session, nil, fedNames, values, values.count, wantedNames, wantedNames.count, &results)
        )
        var tensors: [String: Tensor] = [:]
        for (index, result) in zip(wanted, results) {
            let name = outputs[index].name
            tensors[name] = try copyTensor(result!, name: name)
        }
        return tensors
    }

    private func copyTensor(_ value: OpaquePointer, name: String) throws(RuntimeError) -> Tensor {
        let ort = runtime.ort
        let api = ort.api.pointee
        var info: OpaquePointer?
        try ort.check(api.GetTensorTypeAndShape!(value, &info))
        defer { api.ReleaseTensorTypeAndShapeInfo!(info) }
        let (type, dimensions) = try ort.typeAndShape(info!)
        guard type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT else {
            throw .unsupportedOutput(name: name, elementType: TensorElementType(onnx: type))
        }
        var count = 0
        try ort.check(api.GetTensorShapeElementCount!(info, &count))
        var data: UnsafeMutableRawPointer?
        try ort.check(api.GetTensorMutableData!(value, &data))
        let values = count == 0 ? [] : Array(UnsafeBufferPointer(start: data!.assumingMemoryBound(to: Float.self), count: count))
        return Tensor(validatedShape: dimensions.map { Int($0) }, values: values)
    }
}
