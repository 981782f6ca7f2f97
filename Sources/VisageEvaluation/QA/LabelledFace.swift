import Foundation
import VisageAsk

/// A photo with ground-truth labels, gathered from one of the labelled sets (UTKFace file
/// names, CelebA's attribute file, class folders for expression and mask).
public struct LabelledFace: Sendable, Hashable {
    public enum Label: Sendable, Hashable {
        /// Real age in years (UTKFace).
        case age(Int)
        case gender(female: Bool)
        /// One of ``ExpressionFact/labels``.
        case expression(String)
        case mask(Bool)
        /// A CelebA attribute by its file's name ("Eyeglasses") and value.
        case attribute(String, Bool)
    }

    public var path: String
    /// The data set and split, e.g. "UTKFace", "CelebA", "FER2013 PublicTest".
    public var dataset: String
    public var labels: [Label]

    public init(path: String, dataset: String, labels: [Label]) {
        self.path = path
        self.dataset = dataset
        self.labels = labels
    }
}

/// Reads labelled faces from the layouts of `../shared/data`.
public enum LabelledSets {
    /// UTKFace: age and gender from `AGE_GENDER_RACE_DATE.jpg.chip.jpg`.
    public static func utkface(_ root: String) throws(EvaluationError) -> [LabelledFace] {
        try UTKFaceDataset(root: root).samples.map {
            LabelledFace(path: $0.path, dataset: "UTKFace", labels: [.age($0.age), .gender(female: $0.gender == .female)])
        }
    }

    /// CelebA: `list_attr_celeba.txt` and `images/`; only images present on disk.
    public static func celeba(_ root: String) throws(EvaluationError) -> [LabelledFace] {
        let attributes = try CelebAAttributes(contentsOf: root + "/list_attr_celeba.txt")
        let images = root + "/images/"
        return attributes.labels.keys.sorted().compactMap { file in
            guard FileManager.default.fileExists(atPath: images + file), let values = attributes.labels[file] else { return nil }
            return LabelledFace(path: images + file, dataset: "CelebA", labels: zip(attributes.names, values).map { .attribute($0, $1) })
        }
    }

    /// Class folders of expressions (FER2013's names; CK+'s anger, sadness… are mapped, and
    /// its contempt, which FER2013 lacks, is left out).
    public static func expressions(_ root: String, dataset: String) throws(EvaluationError) -> [LabelledFace] {
        let data = try ClassFolderDataset(root: root, hint: "Point at a folder of expression class folders, e.g. ../shared/data/fer2013/publictest.")
        let synonyms = ["anger": "angry", "sadness": "sad", "surprised": "surprise", "fearful": "fear", "disgusted": "disgust", "happiness": "happy"]
        return data.samples.compactMap { sample in
            let name = data.classes[sample.label].lowercased()
            let label = synonyms[name] ?? name
            guard ExpressionFact.labels.contains(label) else { return nil }
            return LabelledFace(path: sample.path, dataset: dataset, labels: [.expression(label)])
        }
    }

    /// `with_mask/` and `without_mask/`.
    public static func masks(_ root: String) throws(EvaluationError) -> [LabelledFace] {
        let data = try ClassFolderDataset(root: root, hint: "Point at a folder with with_mask/ and without_mask/.")
        return data.samples.compactMap { sample in
            switch data.classes[sample.label] {
            case "with_mask": LabelledFace(path: sample.path, dataset: "masks", labels: [.mask(true)])
            case "without_mask": LabelledFace(path: sample.path, dataset: "masks", labels: [.mask(false)])
            default: nil
            }
        }
    }

    /// What kind of labelled folder `root` is, judged from its layout; nil when none.
    public static func kind(of root: String) -> Kind? {
        let fm = FileManager.default
        if fm.fileExists(atPath: root + "/list_attr_celeba.txt") { return .celeba }
        let children = Set((try? fm.contentsOfDirectory(atPath: root)) ?? [])
        if children.contains("with_mask") || children.contains("without_mask") { return .masks }
        let expressionFolders: Set<String> = Set(ExpressionFact.labels + ["anger", "sadness", "contempt"])
        if !children.isEmpty, children.filter({ !$0.hasPrefix(".") }).allSatisfy(expressionFolders.contains) { return .expressions }
        if children.contains(where: { UTKFaceSample(path: $0) != nil }) { return .utkface }
        return nil
    }

    public enum Kind: String, Sendable { case utkface, celeba, expressions, masks }
}
