import VisageCore
import Foundation

/// Labelled photos laid out as one folder per class (`<root>/<class>/*.jpg|png`), as FER2013,
/// CK+ and the mask set are: the folder name is the label.
///
/// ```swift
/// let fer = try ClassFolderDataset(root: "../shared/data/fer2013/publictest")
/// print(fer.classes, fer.samples.count)
/// ```
public struct ClassFolderDataset: Sendable {
    public var root: String
    /// Class names, sorted.
    public var classes: [String]
    /// (path, class index), sorted by path.
    public var samples: [(path: String, label: Int)]

    public init(root: String, hint: String) throws(EvaluationError) {
        self.root = root
        try EvaluationError.requireDirectory(root, hint: hint)
        let fm = FileManager.default
        let classes = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter {
            var isDirectory: ObjCBool = false
            return !$0.hasPrefix(".") && fm.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        var samples: [(path: String, label: Int)] = []
        for (label, name) in classes.enumerated() {
            let files = ((try? fm.contentsOfDirectory(atPath: root + "/" + name)) ?? [])
                .filter(ImageFormat.hasImageExtension).sorted()
            samples += files.map { (root + "/" + name + "/" + $0, label) }
        }
        guard !samples.isEmpty else { throw .empty(path: root, what: "images in class folders (<class>/*.jpg)") }
        self.classes = classes
        self.samples = samples
    }
}
