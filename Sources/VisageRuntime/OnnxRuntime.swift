import Foundation
import Synchronization
internal import COnnxRuntime

/// ONNX Runtime, loaded once per process: the library, its environment and its thread pools.
///
/// Get it with ``shared(_:)``, then open models with ``InferenceSession``:
///
/// ```swift
/// let runtime = try OnnxRuntime.shared()
/// print(runtime.version)  // "1.32.0"
/// let session = try InferenceSession(modelPath: path, runtime: runtime)
/// ```
///
/// ONNX Runtime allows one environment per process, so the first call's configuration is the
/// process's; a later call with another configuration throws rather than being silently
/// ignored. The runtime is never unloaded: sessions and their threads may outlive any caller.
public final class OnnxRuntime: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init, and the ORT objects behind
    // the pointers are safe to use from any thread (ORT documents the env, the default
    // allocator and a CPU memory info as shareable).

    /// The configuration the runtime was loaded with, its ``RuntimeConfiguration/libraryPath``
    /// resolved to the file actually loaded.
    public let configuration: RuntimeConfiguration
    /// The loaded library's version, such as `1.32.0`.
    public let version: String

    let ort: OrtFunctions
    let environment: OpaquePointer
    /// Describes caller-owned CPU buffers handed to ORT as input tensors.
    let cpuMemory: OpaquePointer
    /// ORT's process-wide default allocator, which allocates the names sessions report.
    let allocator: OpaquePointer

    private static let loaded = Mutex<OnnxRuntime?>(nil)

    /// The process's runtime, loading the library on first use.
    ///
    /// - Parameter configuration: Default: every property at its default (see
    ///   ``RuntimeConfiguration``). Pass ``RuntimeConfiguration/init(environment:)`` to
    ///   honour the `VISAGE_ORT_*` variables.
    /// - Throws: ``RuntimeError/libraryMissing(path:hint:)`` when no file is at the library
    ///   path, ``RuntimeError/libraryInvalid(path:reason:)`` when it is not a usable ONNX
    ///   Runtime, ``RuntimeError/configurationConflict(active:requested:)`` when the process
    ///   already loaded the runtime with another configuration.
    public static func shared(_ configuration: RuntimeConfiguration = RuntimeConfiguration()) throws -> OnnxRuntime {
        var requested = configuration
        let path = configuration.resolvedLibraryPath()
        requested.libraryPath = path
        // Checked before the conflict, so a missing library is reported as such in any order.
        guard FileManager.default.fileExists(atPath: path) else {
            throw RuntimeError.libraryMissing(path: path, hint: RuntimeError.setupHint)
        }
        return try loaded.withLock { runtime in
            if let runtime {
                guard runtime.configuration == requested else {
                    throw RuntimeError.configurationConflict(active: runtime.configuration, requested: requested)
                }
                return runtime
            }
            let loading = try OnnxRuntime(configuration: requested)
            runtime = loading
            return loading
        }
    }

    private init(configuration: RuntimeConfiguration) throws(RuntimeError) {
        let (ort, version) = try OrtLibrary.open(path: configuration.resolvedLibraryPath())
        let api = ort.api.pointee

        var allocator: OpaquePointer?
        try ort.check(api.GetAllocatorWithDefaultOptions!(&allocator))
        var cpuMemory: OpaquePointer?
        // The arena flag only describes the memory; ORT never allocates into a caller's buffer.
        try ort.check(api.CreateCpuMemoryInfo!(OrtArenaAllocator, OrtMemTypeDefault, &cpuMemory))
        let environment: OpaquePointer
        do {
            environment = try Self.makeEnvironment(ort, configuration)
        } catch {
            api.ReleaseMemoryInfo!(cpuMemory)
            throw error
        }

        self.configuration = configuration
        self.version = version
        self.ort = ort
        self.environment = environment
        self.cpuMemory = cpuMemory!
        self.allocator = allocator!
    }

    private static func makeEnvironment(
        _ ort: OrtFunctions,
        _ configuration: RuntimeConfiguration
    ) throws(RuntimeError) -> OpaquePointer {
        let api = ort.api.pointee
        let level = configuration.logLevel.ort
        var environment: OpaquePointer?
        guard configuration.sharesThreadPool else {
            try ort.check(api.CreateEnv!(level, "visage", &environment))
            return environment!
        }
        var threading: OpaquePointer?
        try ort.check(api.CreateThreadingOptions!(&threading))
        defer { api.ReleaseThreadingOptions!(threading) }
        try ort.check(api.SetGlobalIntraOpNumThreads!(threading, configuration.clampedIntraOpThreads))
        // Sessions run their graphs sequentially, so the inter-op pool needs no threads of its
        // own (1 means the calling thread does the work).
        try ort.check(api.SetGlobalInterOpNumThreads!(threading, 1))
        try ort.check(api.SetGlobalSpinControl!(threading, configuration.allowsSpinning ? 1 : 0))
        try ort.check(api.CreateEnvWithGlobalThreadPools!(level, "visage", threading, &environment))
        return environment!
    }
}

extension RuntimeConfiguration {
    /// ORT reads 0 as "pick for me"; we always pick, and never fewer than the calling thread.
    var clampedIntraOpThreads: Int32 {
        Int32(clamping: max(1, intraOpThreads))
    }
}

extension RuntimeConfiguration.LogLevel {
    var ort: OrtLoggingLevel {
        switch self {
        case .verbose: ORT_LOGGING_LEVEL_VERBOSE
        case .info: ORT_LOGGING_LEVEL_INFO
        case .warning: ORT_LOGGING_LEVEL_WARNING
        case .error: ORT_LOGGING_LEVEL_ERROR
        case .fatal: ORT_LOGGING_LEVEL_FATAL
        }
    }
}
