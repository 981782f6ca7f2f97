// Public because the defaults below (ProcessInfo) are evaluated in the caller's module.
public import Foundation

/// How ``OnnxRuntime`` loads ONNX Runtime and schedules its threads.
///
/// Every property has a default, so `RuntimeConfiguration()` loads the provisioned library. To read
/// the `VISAGE_ORT_*` environment keys instead, use ``init(environment:)``.
///
/// ```swift
/// var configuration = RuntimeConfiguration()
/// configuration.intraOpThreads = 1
/// let runtime = try OnnxRuntime.shared(configuration)
/// ```
public struct RuntimeConfiguration: Sendable, Hashable {
    /// The path of `libonnxruntime.so`.
    ///
    /// Default nil: the library named by the environment key `VISAGE_ORT_LIBRARY`, else
    /// `$VISAGE_HOME/lib/libonnxruntime.so.1.32.0`, with `VISAGE_HOME` defaulting to
    /// `~/.cache/visage` (where `make setup` puts it).
    public var libraryPath: String?

    /// How many threads one operator may use.
    ///
    /// Default: the number of active processors. With ``sharesThreadPool`` it sizes the one
    /// pool every session uses; otherwise each session gets a pool of this size.
    public var intraOpThreads: Int

    /// Whether idle pool threads spin waiting for work instead of sleeping.
    ///
    /// Default false. Spinning shaves microseconds off a lone session's run but, with several
    /// pools on few cores, idle pools steal the cores the running session needs: per-session
    /// spinning pools ran the pipeline described under ``sharesThreadPool`` 1.8× slower on 2
    /// cores, and spinning burns processor time other processes could use.
    public var allowsSpinning: Bool

    /// Whether all sessions share one process-wide thread pool instead of each owning one.
    ///
    /// Default true. Measured on 2 cores with YuNet (640×640), SFace, age and gender (batches
    /// of 8) run in turn (`visage-runtime-bench`, Benchmarks/RuntimeThroughput, ORT 1.32, best of several runs): without
    /// spinning, one shared pool and per-session pools ran the pipeline equally fast (≈ 122 ms
    /// from one task, ≈ 142 ms from two), so the shared pool wins on keeping the process at
    /// `intraOpThreads` threads however many models are loaded. It also forgives
    /// ``allowsSpinning``: spinning per-session pools took 224 ms, a spinning shared pool 123 ms.
    public var sharesThreadPool: Bool

    /// The least severe ONNX Runtime message written to stderr. Default ``LogLevel/warning``.
    public var logLevel: LogLevel

    /// A configuration with every property at its default.
    public init(
        libraryPath: String? = nil,
        intraOpThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
        allowsSpinning: Bool = false,
        sharesThreadPool: Bool = true,
        logLevel: LogLevel = .warning
    ) {
        self.libraryPath = libraryPath
        self.intraOpThreads = intraOpThreads
        self.allowsSpinning = allowsSpinning
        self.sharesThreadPool = sharesThreadPool
        self.logLevel = logLevel
    }

    /// The severity of ONNX Runtime's own log messages, least severe first.
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case verbose, info, warning, error, fatal
    }
}
