/// A label UTKFace's file names carry, as the classes of a head trained on them
/// (`visage train-head --utkface DIR --attribute …`).
///
/// ```swift
/// let sample = UTKFaceSample(path: "26_1_2_20170116174525125.jpg.chip.jpg")!
/// UTKFaceAttribute.age.labelNames[UTKFaceAttribute.age.label(of: sample)!]   // "25–29"
/// ```
public enum UTKFaceAttribute: String, Sendable, CaseIterable {
    /// male, female: the gender the annotators recorded.
    case gender
    /// UTKFace's five groups (White, Black, Asian, Indian, Others): the annotators' judgement of
    /// perceived appearance, not identity, ancestry or self-identification. Photos whose name
    /// lacks the field are left out.
    case race
    /// Twelve age bands, narrow where faces change fastest; a head reads them out as the
    /// probability-weighted mean of each band's mean training age (``FaceHead/values``).
    case age

    /// The head's classes, in order.
    public var labelNames: [String] {
        switch self {
        case .gender: UTKFaceSample.Gender.allCases.map(\.rawValue)
        case .race: UTKFaceSample.Race.allCases.filter { $0 != .unknown }.map(\.rawValue)
        case .age: Self.ageBands.map(\.name)
        }
    }

    /// The sample's class (an index into ``labelNames``); nil when its name lacks the field.
    public func label(of sample: UTKFaceSample) -> Int? {
        switch self {
        case .gender: UTKFaceSample.Gender.allCases.firstIndex(of: sample.gender)
        case .race: sample.race == .unknown ? nil : UTKFaceSample.Race.allCases.firstIndex(of: sample.race)
        case .age: Self.ageBands.firstIndex { $0.ages.contains(sample.age) }
        }
    }

    /// Age bands of the age head: years apart in childhood, five years in early adulthood,
    /// ten later; wider ones would blur the read-out, narrower ones would leave too few of
    /// UTKFace's training photos per band (the fewest, 3–6 and 7–12, have 73 and 74).
    static let ageBands: [(name: String, ages: ClosedRange<Int>)] = [
        ("0–2", 0...2), ("3–6", 3...6), ("7–12", 7...12), ("13–19", 13...19), ("20–24", 20...24), ("25–29", 25...29),
        ("30–34", 30...34), ("35–39", 35...39), ("40–49", 40...49), ("50–59", 50...59), ("60–69", 60...69), ("70+", 70...200),
    ]
}
