/// Per-model settings for an ``InferenceSession``; threading comes from the runtime's
/// ``RuntimeConfiguration`` unless overridden here.
///
/// ```swift
/// var options = SessionOptions()
/// options.intraOpThreads = 1  // a tiny classifier gains nothing from more
/// let session = try InferenceSession(modelPath: path, runtime: runtime, options: options)
/// ```
public struct SessionOptions: Sendable, Hashable {
    /// The threads one operator of this model may use.
    ///
    /// Default nil: the runtime's ``RuntimeConfiguration/intraOpThreads``, on the shared pool
    /// when ``RuntimeConfiguration/sharesThreadPool`` is set. A number gives this session a pool
    /// of its own of that size, spinning as ``RuntimeConfiguration/allowsSpinning`` says.
    public var intraOpThreads: Int?

    /// How far ONNX Runtime rewrites the graph when loading it. Default ``GraphOptimization/all``.
    public var graphOptimization: GraphOptimization

    /// Options with every property at its default.
    public init(intraOpThreads: Int? = nil, graphOptimization: GraphOptimization = .all) {
        self.intraOpThreads = intraOpThreads
        self.graphOptimization = graphOptimization
    }

    /// ONNX Runtime's graph optimisation levels, least to most.
    public enum GraphOptimization: Sendable, Hashable {
        /// Run the graph as written: for bisecting a numerical difference.
        case none
        case basic
        case extended
        /// Every rewrite, layout changes included: the fastest on CPU.
        case all
    }
}
