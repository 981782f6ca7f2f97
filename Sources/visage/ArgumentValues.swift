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
