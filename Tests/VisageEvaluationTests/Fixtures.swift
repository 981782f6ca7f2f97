import Foundation
import VisageTestSupport

/// What the evaluation tests add to the shared fixtures: writing small data sets as text.
extension Fixtures {
    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
