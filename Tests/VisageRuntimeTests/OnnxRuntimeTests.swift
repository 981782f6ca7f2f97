import Foundation
import Testing
import VisageRuntime

struct OnnxRuntimeTests {
    @Test func loadsTheProvisionedLibraryAndReportsItsVersion() throws {
        let runtime = try Fixture.runtime()
        #expect(runtime.version == "1.32.0")
        #expect(runtime.configuration.libraryPath?.hasSuffix("libonnxruntime.so.1.32.0") == true)
    }

    @Test func loadsOncePerProcess() throws {
        let first = try Fixture.runtime()
        let second = try OnnxRuntime.shared(Fixture.configuration)
        #expect(first === second)
    }

    @Test func anExplicitPathToTheSameLibraryIsTheSameConfiguration() throws {
        let runtime = try Fixture.runtime()
        var explicit = Fixture.configuration
        explicit.libraryPath = runtime.configuration.libraryPath
        #expect(try OnnxRuntime.shared(explicit) === runtime)
    }

    @Test func aSecondConfigurationIsRefusedNotIgnored() throws {
        let runtime = try Fixture.runtime()
        var other = Fixture.configuration
        other.intraOpThreads = runtime.configuration.intraOpThreads + 1
        let error = #expect(throws: RuntimeError.self) { try OnnxRuntime.shared(other) }
        guard case .configurationConflict(let active, let requested) = error else {
            Issue.record("expected configurationConflict, got \(String(describing: error))")
            return
        }
        #expect(active == runtime.configuration)
        #expect(requested.intraOpThreads == other.intraOpThreads)
    }

    @Test func aMissingLibraryNamesItsPathAndTheSetUpCommand() throws {
        let path = try Fixture.temporaryFile(named: "libonnxruntime.so.1.32.0", contents: nil)
        let error = #expect(throws: RuntimeError.self) {
            try OnnxRuntime.shared(RuntimeConfiguration(libraryPath: path))
        }
        #expect(error == .libraryMissing(path: path, hint: "run `make setup` (scripts/setup)"))
        #expect(error?.errorDescription?.contains("make setup") == true)
        #expect(error?.debugDescription.contains(path) == true)
    }
}
