import Foundation
public import VisageJSON

extension Gallery.Thresholds {
    /// `threshold`, `threshold_source`, `masked_threshold`, `masked_threshold_source` (`configuration`,
    /// `reviewed` or `calibrated`) and `reviewed` (the stored values, note and date; null when none):
    /// what `visage gallery threshold --json` prints and `GET /v1/thresholds` answers.
    public var json: JSONValue {
        .object([
            ("threshold", .number(threshold, decimals: 4)), ("threshold_source", .string(thresholdSource.rawValue)),
            ("masked_threshold", .number(maskedThreshold, decimals: 4)), ("masked_threshold_source", .string(maskedThresholdSource.rawValue)),
            ("reviewed", reviewed.map { r in
                .object([("threshold", r.threshold.map { .number($0, decimals: 4) } ?? .null),
                         ("masked_threshold", r.maskedThreshold.map { .number($0, decimals: 4) } ?? .null),
                         ("note", .string(r.note)), ("date", .string(r.date.formatted(.iso8601)))])
            } ?? .null),
        ])
    }
}
