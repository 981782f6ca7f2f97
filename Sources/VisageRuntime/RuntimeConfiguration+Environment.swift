import Foundation

/// Reading a ``RuntimeConfiguration`` from environment variables.
///
/// | Key | Property | Values | When absent |
/// |---|---|---|---|
/// | `VISAGE_ORT_LIBRARY` | ``RuntimeConfiguration/libraryPath`` | a path | `$VISAGE_HOME/lib/libonnxruntime.so.1.32.0` |
/// | `VISAGE_HOME` | (the library's folder) | a path | `~/.cache/visage` |
/// | `VISAGE_ORT_THREADS` | ``RuntimeConfiguration/intraOpThreads`` | an integer ≥ 1 | active processor count |
/// | `VISAGE_ORT_SPINNING` | ``RuntimeConfiguration/allowsSpinning`` | `0`/`1`, `false`/`true` | false |
/// | `VISAGE_ORT_SHARED_POOL` | ``RuntimeConfiguration/sharesThreadPool`` | `0`/`1`, `false`/`true` | true |
/// | `VISAGE_ORT_LOG_LEVEL` | ``RuntimeConfiguration/logLevel`` | `verbose` … `fatal` | `warning` |
///
/// A value that does not parse is ignored and the default stands, so a typo never stops a run.
extension RuntimeConfiguration {
    /// The environment keys this extension reads.
    public enum EnvironmentKey {
        public static let library = "VISAGE_ORT_LIBRARY"
        public static let home = "VISAGE_HOME"
        public static let threads = "VISAGE_ORT_THREADS"
        public static let spinning = "VISAGE_ORT_SPINNING"
        public static let sharedPool = "VISAGE_ORT_SHARED_POOL"
        public static let logLevel = "VISAGE_ORT_LOG_LEVEL"
    }

    /// A configuration whose properties come from `environment` where it sets them, and are
    /// at their defaults elsewhere.
    ///
    /// ```swift
    /// let configuration = RuntimeConfiguration(environment: ProcessInfo.processInfo.environment)
    /// ```
    ///
    /// The environment is an argument, not read here, so tests and servers can pass their own.
    public init(environment: [String: String]) {
        self.init()
        if let path = environment[EnvironmentKey.library], !path.isEmpty {
            libraryPath = path
        }
        if let threads = environment[EnvironmentKey.threads].flatMap(Int.init), threads >= 1 {
            intraOpThreads = threads
        }
        if let spinning = environment[EnvironmentKey.spinning].flatMap(Self.flag) {
            allowsSpinning = spinning
        }
        if let shared = environment[EnvironmentKey.sharedPool].flatMap(Self.flag) {
            sharesThreadPool = shared
        }
        if let level = environment[EnvironmentKey.logLevel].flatMap({ LogLevel(rawValue: $0.lowercased()) }) {
            logLevel = level
        }
    }

    /// The library path to load: ``libraryPath`` when set, else the default described there.
    func resolvedLibraryPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let libraryPath {
            return libraryPath
        }
        if let path = environment[EnvironmentKey.library], !path.isEmpty {
            return path
        }
        let home: String
        if let visageHome = environment[EnvironmentKey.home], !visageHome.isEmpty {
            home = visageHome
        } else {
            home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/visage").path
        }
        return home + "/lib/libonnxruntime.so.1.32.0"
    }

    private static func flag(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off": false
        default: nil
        }
    }
}
