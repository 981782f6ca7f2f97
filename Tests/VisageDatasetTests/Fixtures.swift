import Foundation
import VisageTestSupport

/// What the dataset tests add to the shared fixtures: CFP's images, and writing scratch datasets.
extension Fixtures {
    static var cfpImages: String? { data("cfp/Data/Images") }

    /// Writes `bytes` to `root/relative`, creating folders.
    static func write(_ bytes: [UInt8], _ root: String, _ relative: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
