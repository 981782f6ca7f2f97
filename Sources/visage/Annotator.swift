import Foundation

/// Where `--annotate` writes each annotated picture (the drawing is `Image.annotated(with:attributes:)`).
enum Annotator {
    /// `DIR/<name>.annotated.jpg`, prefixed with the input's index so that two inputs with the
    /// same file name in different folders do not overwrite each other.
    static func destination(for path: String, index: Int, in directory: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return URL(fileURLWithPath: directory).appendingPathComponent(String(format: "%04d-", index) + stem + ".jpg").path
    }
}
