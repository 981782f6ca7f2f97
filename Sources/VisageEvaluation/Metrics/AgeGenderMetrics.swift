/// Age and gender figures for one group of photos.
public struct AgeGenderGroup: Sendable, Hashable, Codable {
    /// What the group is split by: "all", "race", "gender", "race × gender", "age band".
    public var dimension: String
    public var group: String
    public var photos: Int
    /// Photos in which the detector found no face; they have no prediction and are left out
    /// of the figures below.
    public var withoutFace: Int
    /// Mean absolute age error in years, over photos with a face; nil when there are none.
    public var ageMeanAbsoluteError: Double?
    /// Mean of predicted − true age: positive means the model guesses older.
    public var ageMeanSignedError: Double?
    public var genderAccuracy: Double?
}

/// One photo's truth and the pipeline's answer (nil when no face was found).
public struct AgeGenderOutcome: Sendable, Hashable {
    public var sample: UTKFaceSample
    public var predictedAge: Float?
    public var predictedFemale: Bool?

    public init(sample: UTKFaceSample, predictedAge: Float?, predictedFemale: Bool?) {
        self.sample = sample
        self.predictedAge = predictedAge
        self.predictedFemale = predictedFemale
    }
}

/// Groups outcomes and computes age MAE, signed age error and gender accuracy per group.
///
/// ```swift
/// let groups = AgeGenderMetrics.breakdown(outcomes)   // all, race, gender, race × gender, age band
/// ```
public enum AgeGenderMetrics {
    /// The figures for one group.
    public static func group(_ outcomes: [AgeGenderOutcome], dimension: String, name: String) -> AgeGenderGroup {
        let ages = outcomes.compactMap { o in o.predictedAge.map { Double($0) - Double(o.sample.age) } }
        let genders = outcomes.compactMap { o in o.predictedFemale.map { $0 == (o.sample.gender == .female) } }
        let withoutFace = outcomes.count { $0.predictedAge == nil && $0.predictedFemale == nil }
        return AgeGenderGroup(
            dimension: dimension, group: name, photos: outcomes.count, withoutFace: withoutFace,
            ageMeanAbsoluteError: ages.isEmpty ? nil : Format.rounded(ages.reduce(0) { $0 + abs($1) } / Double(ages.count), 4),
            ageMeanSignedError: ages.isEmpty ? nil : Format.rounded(ages.reduce(0, +) / Double(ages.count), 4),
            genderAccuracy: genders.isEmpty ? nil : Format.rounded(Double(genders.count(where: { $0 })) / Double(genders.count)))
    }

    /// All photos, then by race, gender, race × gender and age band; groups with no photos are left out.
    public static func breakdown(_ outcomes: [AgeGenderOutcome]) -> [AgeGenderGroup] {
        var groups = [group(outcomes, dimension: "all", name: "all")]
        for race in UTKFaceSample.Race.allCases {
            let members = outcomes.filter { $0.sample.race == race }
            if !members.isEmpty { groups.append(group(members, dimension: "race", name: race.rawValue)) }
        }
        for gender in UTKFaceSample.Gender.allCases {
            let members = outcomes.filter { $0.sample.gender == gender }
            if !members.isEmpty { groups.append(group(members, dimension: "gender", name: gender.rawValue)) }
        }
        for race in UTKFaceSample.Race.allCases {
            for gender in UTKFaceSample.Gender.allCases {
                let members = outcomes.filter { $0.sample.race == race && $0.sample.gender == gender }
                if !members.isEmpty { groups.append(group(members, dimension: "race × gender", name: "\(race.rawValue) \(gender.rawValue)")) }
            }
        }
        for band in UTKFaceSample.ageBands {
            let members = outcomes.filter { $0.sample.ageBand == band }
            if !members.isEmpty { groups.append(group(members, dimension: "age band", name: band)) }
        }
        return groups
    }
}

/// How a race head's answers compare with UTKFace's race labels, on the photos with a face and
/// a race field. The labels are annotators' judgements of perceived appearance, so this
/// measures agreement with those judgements, nothing more.
public struct RaceHeadFigures: Sendable, Hashable, Codable {
    /// The head's classes, in the order of the confusion matrix.
    public var labels: [String]
    /// `confusion.confusion[labelled][predicted]`.
    public var confusion: ClassificationMetrics
    /// Photos left out: no face found, or a name without the race field.
    public var withoutFace: Int
    public var withoutRace: Int

    /// - Parameter predictions: the head's label for each outcome's photo (nil: no face).
    public init(labels: [String], outcomes: [AgeGenderOutcome], predictions: [String?]) {
        var truth: [Int] = []
        var predicted: [Int] = []
        var withoutFace = 0
        var withoutRace = 0
        for (outcome, prediction) in zip(outcomes, predictions) {
            guard let t = labels.firstIndex(of: outcome.sample.race.rawValue) else { withoutRace += 1; continue }
            guard let prediction, let p = labels.firstIndex(of: prediction) else { withoutFace += 1; continue }
            truth.append(t)
            predicted.append(p)
        }
        self.labels = labels
        confusion = ClassificationMetrics(truth: truth, predicted: predicted, classes: labels.count)
        self.withoutFace = withoutFace
        self.withoutRace = withoutRace
    }

    public var accuracy: Double { confusion.accuracy }
    /// Mean of the per-group recalls: each group counts the same however many photos it has.
    public var balancedAccuracy: Double {
        let present = labels.indices.filter { confusion.confusion[$0].reduce(0, +) > 0 }
        return present.map { confusion.recall(of: $0) }.reduce(0, +) / Double(max(1, present.count))
    }

    public func markdown() -> String {
        var out = "Race head (UTKFace's perceived-appearance labels, not identity or ancestry): "
        out += "accuracy \(Format.percent(accuracy, decimals: 1)) on \(confusion.total) photos, balanced \(Format.percent(balancedAccuracy, decimals: 1)); "
        out += "\(withoutFace) without a face, \(withoutRace) without a race label.\n\n"
        let rows = labels.indices.map { i in
            [labels[i], "\(confusion.confusion[i].reduce(0, +))", Format.percent(confusion.recall(of: i), decimals: 1)] + confusion.confusion[i].map(String.init)
        }
        out += Format.table(["labelled \\ predicted", "photos", "recall"] + labels, rows) + "\n"
        return out
    }
}
