import Foundation
import Testing
@testable import VisageRuntime

struct RuntimeConfigurationTests {
    @Test func defaultsAreNoSpinningOneSharedPoolAndAThreadPerCore() {
        let configuration = RuntimeConfiguration()
        #expect(configuration.libraryPath == nil)
        #expect(configuration.intraOpThreads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(configuration.allowsSpinning == false)
        #expect(configuration.sharesThreadPool == true)
        #expect(configuration.logLevel == .warning)
    }

    @Test func readsEveryKeyFromTheEnvironment() {
        let configuration = RuntimeConfiguration(environment: [
            "VISAGE_ORT_LIBRARY": "/opt/ort/libonnxruntime.so",
            "VISAGE_ORT_THREADS": "3",
            "VISAGE_ORT_SPINNING": "1",
            "VISAGE_ORT_SHARED_POOL": "false",
            "VISAGE_ORT_LOG_LEVEL": "ERROR",
        ])
        #expect(configuration.libraryPath == "/opt/ort/libonnxruntime.so")
        #expect(configuration.intraOpThreads == 3)
        #expect(configuration.allowsSpinning)
        #expect(!configuration.sharesThreadPool)
        #expect(configuration.logLevel == .error)
    }

    @Test func unparsableValuesLeaveTheDefaults() {
        let configuration = RuntimeConfiguration(environment: [
            "VISAGE_ORT_THREADS": "0",
            "VISAGE_ORT_SPINNING": "sometimes",
            "VISAGE_ORT_LOG_LEVEL": "loud",
        ])
        #expect(configuration == RuntimeConfiguration())
    }

    @Test func theLibraryDefaultsToVisageHome() {
        let configuration = RuntimeConfiguration()
        #expect(
            configuration.resolvedLibraryPath(environment: ["VISAGE_HOME": "/srv/visage"])
                == "/srv/visage/lib/libonnxruntime.so.1.32.0"
        )
        #expect(
            configuration.resolvedLibraryPath(environment: [:])
                == NSHomeDirectory() + "/.cache/visage/lib/libonnxruntime.so.1.32.0"
        )
    }

    @Test func anExplicitPathBeatsTheEnvironment() {
        let configuration = RuntimeConfiguration(libraryPath: "/a/lib.so")
        #expect(configuration.resolvedLibraryPath(environment: ["VISAGE_ORT_LIBRARY": "/b/lib.so"]) == "/a/lib.so")
        #expect(RuntimeConfiguration().resolvedLibraryPath(environment: ["VISAGE_ORT_LIBRARY": "/b/lib.so"]) == "/b/lib.so")
    }
}
