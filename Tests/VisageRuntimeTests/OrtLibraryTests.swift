import Foundation
import Testing
@testable import VisageRuntime

/// Opening candidate libraries directly: the shared runtime is loaded once per process, so
/// these cases could not reach the loader through `OnnxRuntime.shared` in any test order.
struct OrtLibraryTests {
    @Test func servesTheApiVersionOurDeclarationsFollow() throws {
        let path = Fixture.configuration.resolvedLibraryPath()
        let (_, version) = try OrtLibrary.open(path: path)
        #expect(version == "1.32.0")
    }

    @Test func aFileThatIsNotASharedLibraryIsInvalid() throws {
        let path = Fixture.notAModel
        let error = #expect(throws: RuntimeError.self) { try OrtLibrary.open(path: path) }
        guard case .libraryInvalid(let reported, let reason) = error else {
            Issue.record("expected libraryInvalid, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(!reason.isEmpty)
    }

    @Test func aSharedLibraryWithoutOrtGetApiBaseIsInvalid() throws {
        let libc = "/lib/x86_64-linux-gnu/libc.so.6"
        try #require(FileManager.default.fileExists(atPath: libc), "needs glibc at \(libc)")
        let error = #expect(throws: RuntimeError.self) { try OrtLibrary.open(path: libc) }
        guard case .libraryInvalid(_, let reason) = error else {
            Issue.record("expected libraryInvalid, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("OrtGetApiBase"))
    }
}
