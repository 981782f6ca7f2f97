import VisageCore
import Foundation

/// A folder of photos with Pascal VOC annotations: `images/*.jpg|png` and
/// `annotations/*.xml`, paired by file stem (the XML's own `filename` is not trusted: in
/// ../shared/data/mask-boxes it names `.png` files that are `.jpg`).
///
/// ```swift
/// let voc = try VOCDataset(root: "../shared/data/mask-boxes")
/// print(voc.items.count, voc.imagesWithoutAnnotation)
/// ```
public struct VOCDataset: Sendable {
    public struct Item: Sendable, Hashable {
        public var image: String
        public var annotationPath: String
        public var annotation: VOCAnnotation
    }

    public var root: String
    /// Images with an annotation, sorted by path.
    public var items: [Item]
    public var imagesWithoutAnnotation: [String]
    public var annotationsWithoutImage: [String]

    static let hint = "Point --voc at a folder with images/ and annotations/ (Pascal VOC XML), e.g. ../shared/data/mask-boxes."

    /// Reads every annotation; the first malformed one stops with an error naming it.
    public init(root: String) throws(EvaluationError) {
        self.root = root
        try EvaluationError.requireDirectory(root, hint: Self.hint)
        let imageDirectory = root + "/images", annotationDirectory = root + "/annotations"
        try EvaluationError.requireDirectory(imageDirectory, hint: Self.hint)
        try EvaluationError.requireDirectory(annotationDirectory, hint: Self.hint)
        let fm = FileManager.default
        let imageNames = ((try? fm.contentsOfDirectory(atPath: imageDirectory)) ?? [])
            .filter(ImageFormat.hasImageExtension)
        let xmlNames = ((try? fm.contentsOfDirectory(atPath: annotationDirectory)) ?? [])
            .filter { ($0 as NSString).pathExtension.lowercased() == "xml" }
        var xmlByStem: [String: String] = [:]
        for name in xmlNames { xmlByStem[(name as NSString).deletingPathExtension] = name }
        var items: [Item] = []
        var orphans: [String] = []
        var used = Set<String>()
        for name in imageNames.sorted() {
            let stem = (name as NSString).deletingPathExtension
            guard let xml = xmlByStem[stem] else {
                orphans.append(imageDirectory + "/" + name)
                continue
            }
            used.insert(stem)
            let path = annotationDirectory + "/" + xml
            items.append(Item(image: imageDirectory + "/" + name, annotationPath: path, annotation: try VOCAnnotation(contentsOf: path)))
        }
        guard !items.isEmpty else { throw .empty(path: root, what: "images with a matching annotation (paired by file stem)") }
        self.items = items
        imagesWithoutAnnotation = orphans
        annotationsWithoutImage = xmlByStem.filter { !used.contains($0.key) }.map { annotationDirectory + "/" + $0.value }.sorted()
    }
}
