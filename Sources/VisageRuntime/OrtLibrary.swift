// The one file that talks to the dynamic loader, so the platform import ladder lives only here.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import COnnxRuntime

/// Opening `libonnxruntime` at run time: dlopen, dlsym `OrtGetApiBase`, then `GetApi`.
///
/// Loading at run time rather than linking keeps Visage usable as a package dependency on a
/// machine without ONNX Runtime, and lets the set-up step choose where the library lives.
enum OrtLibrary {
    /// The function table and version string of the library at `path`.
    ///
    /// A library that loads is never closed: its function table and threads live as long as
    /// the process. One that fails a check is closed before throwing.
    static func open(path: String) throws(RuntimeError) -> (functions: OrtFunctions, version: String) {
        // RTLD_LOCAL keeps ORT's many C++ symbols out of the global namespace, where they could
        // clash with another library that bundles protobuf or abseil.
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .libraryInvalid(path: path, reason: dlerror().map { String(cString: $0) } ?? "dlopen failed")
        }
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            dlclose(handle)
            throw .libraryInvalid(path: path, reason: "it does not export OrtGetApiBase, so it is not ONNX Runtime")
        }
        let getApiBase = unsafeBitCast(symbol, to: OrtGetApiBaseFunction.self)
        guard let base = getApiBase(), let getApi = base.pointee.GetApi else {
            dlclose(handle)
            throw .libraryInvalid(path: path, reason: "OrtGetApiBase returned no API")
        }
        let version = base.pointee.GetVersionString.flatMap { $0() }.map { String(cString: $0) } ?? "unknown"
        guard let api = getApi(UInt32(ORT_VISAGE_API_VERSION)) else {
            dlclose(handle)
            throw .libraryInvalid(
                path: path,
                reason: "ONNX Runtime \(version) does not serve C API version \(ORT_VISAGE_API_VERSION); install 1.29 or later"
            )
        }
        return (OrtFunctions(api: api), version)
    }
}
