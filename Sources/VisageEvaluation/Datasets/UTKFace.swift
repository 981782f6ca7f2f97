import VisageCore
import Foundation

/// One UTKFace photo and the labels its file name carries.
public struct UTKFaceSample: Sendable, Hashable {
    /// The five race labels of UTKFace, as its authors define them; `unknown` when the name
    /// has no race field.
    public enum Race: String, Sendable, CaseIterable, Codable {
        case white = "White", black = "Black", asian = "Asian", indian = "Indian", others = "Others", unknown
    }

    public enum Gender: String, Sendable, CaseIterable, Codable {
        case male, female
    }

    public var path: String
    /// Age in years.
    public var age: Int
    public var gender: Gender
    public var race: Race

    /// Parses `AGE_GENDER_RACE_DATE.jpg.chip.jpg` (or `AGE_GENDER_DATE…` without race):
    /// gender 0 = male, 1 = female; race 0 White, 1 Black, 2 Asian, 3 Indian, 4 Others.
    /// Returns nil for a name that does not follow the pattern.
    public init?(path: String) {
        let name = (path as NSString).lastPathComponent
        let fields = name.split(separator: "_", omittingEmptySubsequences: false)
        guard fields.count >= 3, let age = Int(fields[0]), (0...130).contains(age),
              let gender = Int(fields[1]), gender == 0 || gender == 1 else { return nil }
        var race = Race.unknown
        // A race field is a single digit; without it the third field is the date stamp.
        if fields.count >= 4 {
            guard let value = Int(fields[2]), (0...4).contains(value) else { return nil }
            race = [.white, .black, .asian, .indian, .others][value]
        }
        self.path = path
        self.age = age
        self.gender = gender == 0 ? .male : .female
        self.race = race
    }

    /// Decade bands, 70+ last: "0–9", "10–19", …, "70+".
    public var ageBand: String {
        age >= 70 ? "70+" : "\(age / 10 * 10)–\(age / 10 * 10 + 9)"
    }

    public static let ageBands = ["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70+"]

    /// The part of Visage's fixed UTKFace split this photo is in (see ``UTKFacePart``).
    public var part: UTKFacePart { UTKFacePart(fileName: (path as NSString).lastPathComponent) }
}

/// Visage's fixed split of UTKFace: our own heads are trained on the training part only, and
/// every comparison with them is measured on the held-out part.
///
/// The rule is a function of the file name alone, so it needs no list, is the same on every
/// machine and for every subset of the folder, and was not tuned: a photo is held out when the
/// 64-bit FNV-1a hash of its file name's UTF-8 bytes is divisible by 3 (about a third). On
/// `../shared/data/utkface` that is 1,019 of the 3,000 photos held out, 1,981 for training.
///
/// ```swift
/// let heldOut = try UTKFaceDataset(root: "../shared/data/utkface", part: .heldOut)
/// ```
public enum UTKFacePart: String, Sendable, CaseIterable, Codable {
    case training
    case heldOut = "held-out"

    public init(fileName: String) {
        self = fileName.stableHash % 3 == 0 ? .heldOut : .training
    }
}

/// The UTKFace photos in a folder (`*.jpg`, not recursive), sorted by name, optionally one part
/// of the fixed split, and the files whose names carry no labels.
public struct UTKFaceDataset: Sendable {
    public var root: String
    public var samples: [UTKFaceSample]
    /// Image files whose names do not follow `AGE_GENDER_RACE_DATE.jpg.chip.jpg`.
    public var unlabelled: [String]

    /// The part of the split the samples come from; nil: the whole folder.
    public var part: UTKFacePart?

    /// - Parameters:
    ///   - part: keep only the photos of this part of ``UTKFacePart``'s split (nil: all).
    ///   - limit: evaluate only the first `limit` photos by name (after `part`; nil: all).
    public init(root: String, part: UTKFacePart? = nil, limit: Int? = nil) throws(EvaluationError) {
        self.root = root
        try EvaluationError.requireDirectory(root, hint: "Point --utkface at the UTKFace folder of *.jpg.chip.jpg files, e.g. ../shared/data/utkface.")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter(ImageFormat.hasImageExtension)
            .sorted()
        var samples: [UTKFaceSample] = []
        var unlabelled: [String] = []
        let base = root.hasSuffix("/") ? root : root + "/"
        for name in names {
            if let limit, samples.count >= limit { break }
            guard let sample = UTKFaceSample(path: base + name) else { unlabelled.append(base + name); continue }
            if part == nil || sample.part == part { samples.append(sample) }
        }
        guard !samples.isEmpty else { throw .empty(path: root, what: "UTKFace photos (files named AGE_GENDER_RACE_DATE.jpg.chip.jpg)") }
        self.samples = samples
        self.unlabelled = unlabelled
        self.part = part
    }
}
