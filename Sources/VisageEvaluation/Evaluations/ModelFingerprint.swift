import Foundation

/// Identifies the model files an embedding cache was computed with, so that a cache written
/// before set-up replaced a file (set-up v3 rewrote SFace's graph, say) is recomputed rather
/// than reused: `name:size:modified` for each file, in the order given.
enum ModelFingerprint {
    static func of(_ fileNames: [String], in directory: URL) -> String {
        fileNames.map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970) } ?? -1
            return "\(name):\(size):\(modified)"
        }.joined(separator: ",")
    }
}
