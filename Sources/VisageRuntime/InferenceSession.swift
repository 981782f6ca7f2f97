import Foundation
internal import COnnxRuntime

/// One ONNX model loaded into ONNX Runtime, ready to run many times.
///
/// ```swift
/// let runtime = try OnnxRuntime.shared()
/// let sface = try InferenceSession(modelPath: "\(models)/sface_2021dec.onnx", runtime: runtime)
/// let crops = try Tensor(shape: [2, 3, 112, 112], values: pixels)
/// let embeddings = try sface.run(["data": crops])["fc1"]  // shape [2, 128]
/// ```
///
/// Create a session once per model and reuse it: loading optimises the graph, which costs far
/// more than a run. ``run(_:outputs:)`` may be called from several tasks at once; it blocks the
/// calling thread until ONNX Runtime is done.
public final class InferenceSession: @unchecked Sendable {
    // @unchecked: the stored properties never change after init, and ORT documents
    // OrtApi::Run as safe to call concurrently on one session; nothing else touches the
    // session pointer until deinit, which runs only once no caller holds the session.

    /// The model file the session was loaded from.
    public let modelPath: String
    /// The inputs a run must feed, in the model's declared order.
    public let inputs: [TensorInfo]
    /// The outputs a run returns, in the model's declared order.
    public let outputs: [TensorInfo]
    /// The runtime the session belongs to.
    public let runtime: OnnxRuntime
    /// Runs so far and the time they spent inside ONNX Runtime.
    public let statistics = RunStatistics()

    let session: OpaquePointer
    /// Names as ORT allocated them, parallel to `inputs` and `outputs`; passed straight to Run,
    /// freed with the allocator in deinit.
    let inputNames: [UnsafeMutablePointer<CChar>]
    let outputNames: [UnsafeMutablePointer<CChar>]

    /// Loads the model at `modelPath`.
    ///
    /// - Parameter options: Default: the runtime's threading and full graph optimisation.
    /// - Throws: ``RuntimeError/modelMissing(path:hint:)`` when no file is there,
    ///   ``RuntimeError/modelInvalid(path:reason:)`` with ORT's message when it cannot load it.
    public init(modelPath: String, runtime: OnnxRuntime, options: SessionOptions = SessionOptions()) throws {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw RuntimeError.modelMissing(
                path: modelPath,
                hint: "check the path; the set-up step (\(RuntimeError.setupHint)) puts Visage's models in $VISAGE_HOME/models"
            )
        }
        let ort = runtime.ort
        let api = ort.api.pointee

        var sessionOptions: OpaquePointer?
        try ort.check(api.CreateSessionOptions!(&sessionOptions))
        defer { api.ReleaseSessionOptions!(sessionOptions) }
        try Self.configure(sessionOptions!, options, runtime)

        let session = try Self.open(modelPath, sessionOptions!, runtime)

        var inputNames: [UnsafeMutablePointer<CChar>] = []
        var outputNames: [UnsafeMutablePointer<CChar>] = []
        let inputs: [TensorInfo]
        let outputs: [TensorInfo]
        do {
            inputs = try Self.describe(session, runtime, outputs: false, names: &inputNames)
            outputs = try Self.describe(session, runtime, outputs: true, names: &outputNames)
        } catch {
            for name in inputNames + outputNames {
                _ = api.AllocatorFree!(runtime.allocator, name)
            }
            api.ReleaseSession!(session)
            throw error
        }
        self.inputs = inputs
        self.outputs = outputs
        self.modelPath = modelPath
        self.runtime = runtime
        self.session = session
        self.inputNames = inputNames
        self.outputNames = outputNames
    }

    deinit {
        let api = runtime.ort.api.pointee
        api.ReleaseSession!(session)
        for name in inputNames + outputNames {
            // AllocatorFree on the default CPU allocator cannot fail; its status is always NULL.
            _ = api.AllocatorFree!(runtime.allocator, name)
        }
    }

    /// ORT's failure to load a file that exists means the file is not a model it can run.
    private static func open(
        _ modelPath: String,
        _ sessionOptions: OpaquePointer,
        _ runtime: OnnxRuntime
    ) throws(RuntimeError) -> OpaquePointer {
        let ort = runtime.ort
        var session: OpaquePointer?
        do {
            try ort.check(ort.api.pointee.CreateSession!(runtime.environment, modelPath, sessionOptions, &session))
        } catch {
            guard case .ortFailure(_, let message) = error else { throw error }
            throw .modelInvalid(path: modelPath, reason: message)
        }
        return session!
    }

    private static func configure(
        _ sessionOptions: OpaquePointer,
        _ options: SessionOptions,
        _ runtime: OnnxRuntime
    ) throws(RuntimeError) {
        let ort = runtime.ort
        let api = ort.api.pointee
        try ort.check(api.SetSessionGraphOptimizationLevel!(sessionOptions, options.graphOptimization.ort))
        let configuration = runtime.configuration
        if configuration.sharesThreadPool, options.intraOpThreads == nil {
            try ort.check(api.DisablePerSessionThreads!(sessionOptions))
            return
        }
        var own = configuration
        own.intraOpThreads = options.intraOpThreads ?? configuration.intraOpThreads
        try ort.check(api.SetIntraOpNumThreads!(sessionOptions, own.clampedIntraOpThreads))
        // Without these, an idle pool keeps its threads spinning after every run, stealing the
        // cores the next model in the pipeline needs (1.8× slower measured on 2 cores).
        let spinning = configuration.allowsSpinning ? "1" : "0"
        try ort.check(api.AddSessionConfigEntry!(sessionOptions, "session.intra_op.allow_spinning", spinning))
        try ort.check(api.AddSessionConfigEntry!(sessionOptions, "session.inter_op.allow_spinning", spinning))
    }

    /// The declared inputs (or outputs). Their ORT-allocated names go into `names`, which the
    /// caller frees, also when this throws partway.
    private static func describe(
        _ session: OpaquePointer,
        _ runtime: OnnxRuntime,
        outputs: Bool,
        names: inout [UnsafeMutablePointer<CChar>]
    ) throws(RuntimeError) -> [TensorInfo] {
        let ort = runtime.ort
        let api = ort.api.pointee
        var count = 0
        try ort.check(outputs ? api.SessionGetOutputCount!(session, &count) : api.SessionGetInputCount!(session, &count))
        var infos: [TensorInfo] = []
        for index in 0..<count {
            var name: UnsafeMutablePointer<CChar>?
            try ort.check(
                outputs
                    ? api.SessionGetOutputName!(session, index, runtime.allocator, &name)
                    : api.SessionGetInputName!(session, index, runtime.allocator, &name)
            )
            names.append(name!)
            var typeInfo: OpaquePointer?
            try ort.check(
                outputs
                    ? api.SessionGetOutputTypeInfo!(session, index, &typeInfo)
                    : api.SessionGetInputTypeInfo!(session, index, &typeInfo)
            )
            defer { api.ReleaseTypeInfo!(typeInfo) }
            var tensorInfo: OpaquePointer?
            try ort.check(api.CastTypeInfoToTensorInfo!(typeInfo, &tensorInfo))
            guard let tensorInfo else {
                // A sequence or map: describable by name only, and never fed by a Tensor.
                infos.append(TensorInfo(name: String(cString: name!), elementType: .other(0), shape: []))
                continue
            }
            let (type, dimensions) = try ort.typeAndShape(tensorInfo)
            infos.append(
                TensorInfo(
                    name: String(cString: name!),
                    elementType: TensorElementType(onnx: type),
                    shape: dimensions.map { $0 >= 0 ? Int($0) : nil }
                )
            )
        }
        return infos
    }
}

extension SessionOptions.GraphOptimization {
    var ort: GraphOptimizationLevel {
        switch self {
        case .none: ORT_DISABLE_ALL
        case .basic: ORT_ENABLE_BASIC
        case .extended: ORT_ENABLE_EXTENDED
        case .all: ORT_ENABLE_ALL
        }
    }
}
