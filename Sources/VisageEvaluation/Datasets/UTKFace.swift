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
}

/// The UTKFace photos in a folder (`*.jpg`, not recursive), sorted by name, and the files
/// whose names carry no labels.
public struct UTKFaceDataset: Sendable {
    public var root: String
    public var samples: [UTKFaceSample]
    /// Image files whose names do not follow `AGE_GENDER_RACE_DATE.jpg.chip.jpg`.
    public var unlabelled: [String]

    /// - Parameter limit: evaluate only the first `limit` files by name (nil: all).
    public init(root: String, limit: Int? = nil) throws(EvaluationError) {
        self.root = root
        try EvaluationError.requireDirectory(root, hint: "Point --utkface at the UTKFace folder of *.jpg.chip.jpg files, e.g. ../shared/data/utkface.")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { ["jpg", "jpeg", "png"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
        var samples: [UTKFaceSample] = []
        var unlabelled: [String] = []
        let base = root.hasSuffix("/") ? root : root + "/"
        for name in names {
            if let limit, samples.count >= limit { break }
            if let sample = UTKFaceSample(path: base + name) { samples.append(sample) } else { unlabelled.append(base + name) }
        }
        guard !samples.isEmpty else { throw .empty(path: root, what: "UTKFace photos (files named AGE_GENDER_RACE_DATE.jpg.chip.jpg)") }
        self.samples = samples
        self.unlabelled = unlabelled
    }
}
