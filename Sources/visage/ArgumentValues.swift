public import ArgumentParser
import Foundation
import Visage
import VisageEvaluation
import VisageHeads
import VisageModels

// Library enums read straight from the command line: argument-parser checks the value, lists the
// choices in the help and names them in its error, so no command compares strings by hand.
extension MaskCondition: ExpressibleByArgument {}
extension MaskMatching: ExpressibleByArgument {}
extension MaskStyle: ExpressibleByArgument {}
extension SFaceEmbedder.Precision: ExpressibleByArgument {}
extension FaceFeatures: ExpressibleByArgument {}
extension UTKFaceAttribute: ExpressibleByArgument {}
extension Verification.MaskMatching: ExpressibleByArgument {}
extension UTKFacePart: ExpressibleByArgument {}
extension FaceAnalyzer.AttributeModel: ExpressibleByArgument {}
extension AttributeEvaluation.Features: ExpressibleByArgument {}
extension AttributeEvaluation.Threshold: ExpressibleByArgument {}
extension AttributeEvaluation.PenaltyChoice: ExpressibleByArgument {}

/// A comma-separated list of an enum's raw values, such as `--styles surgical-blue,white-n95`.
struct CommaSeparated<Value>: ExpressibleByArgument where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    var values: [Value]

    init?(argument: String) {
        let values = argument.split(separator: ",").map { Value(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, !values.contains(where: { $0 == nil }) else { return nil }
        self.values = values.compactMap { $0 }
    }

    static var allValueStrings: [String] { Value.allCases.map(\.rawValue) }
}

/// A cosine-similarity option (`--threshold`, `--masked-threshold`): argument-parser reads
/// "nan" and "inf" as floats, and a comparison with NaN is never true, so such a value would
/// silently call every pair different and every face unknown.
func validateSimilarity(_ value: Float?, _ option: String) throws {
    guard let value else { return }
    guard value.isFinite, (-1...1).contains(value) else {
        throw ValidationError("\(option) is a cosine similarity, from -1 to 1; got \(value).")
    }
}

/// `--verify-thresholds UNMASKED,ONE_MASKED,BOTH_MASKED`: the pair thresholds per mask
/// condition, each a cosine similarity.
func parseVerificationThresholds(_ text: String, _ option: String) throws -> Verification.Thresholds {
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard values.count == 3, let unmasked = values[0], let oneMasked = values[1], let bothMasked = values[2] else {
        throw ValidationError("\(option) takes three similarities, UNMASKED,ONE_MASKED,BOTH_MASKED (e.g. \(Verification.defaultThreshold),\(Verification.oneMaskedThreshold),\(Verification.bothMaskedThreshold)); got \"\(text)\".")
    }
    for value in [unmasked, oneMasked, bothMasked] { try validateSimilarity(value, option) }
    var thresholds = Verification.Thresholds()
    thresholds.unmasked = unmasked
    thresholds.oneMasked = oneMasked
    thresholds.bothMasked = bothMasked
    return thresholds
}

/// A number of seconds or a multiplier that must be an ordinary number ("nan" and "inf" parse as floats).
func validateFinite<Value: BinaryFloatingPoint>(_ value: Value?, _ option: String) throws {
    guard let value else { return }
    guard value.isFinite else { throw ValidationError("\(option) must be a number; got \(value).") }
}
