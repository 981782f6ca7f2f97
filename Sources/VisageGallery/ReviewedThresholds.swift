public import Foundation

/// Identification thresholds a person chose for one gallery after reviewing a pilot on the
/// gallery's own kind of photos (`visage calibrate --protocol folders`, docs/gallery.md). They
/// are kept in the store, so every process and service node sharing the gallery decides with
/// them, and each change is an audit entry (`policy`).
public struct ReviewedThresholds: Sendable, Hashable, Codable {
    /// The identification threshold (SFace cosine); nil keeps ``Gallery/defaultThreshold``.
    public var threshold: Float?
    /// The same for probes the mask classifier calls masked (the attention head's cosine); nil
    /// keeps ``Gallery/defaultMaskedThreshold``.
    public var maskedThreshold: Float?
    /// Who chose them and on what evidence, in words ("pilot report of 2026-12-04, FPIR 1e-2 on
    /// 40 staff; reviewed by the security lead"). Required: a threshold nobody can account for
    /// is what the review is meant to prevent.
    public var note: String
    /// When they were set.
    public var date: Date

    public init(threshold: Float?, maskedThreshold: Float?, note: String, date: Date = Date()) {
        self.threshold = threshold
        self.maskedThreshold = maskedThreshold
        self.note = note
        self.date = date
    }

    /// Why these cannot be stored, in words; nil when they can.
    public var problem: String? {
        if threshold == nil && maskedThreshold == nil { return "give a threshold, a masked threshold or both" }
        for (name, value) in [("threshold", threshold), ("masked threshold", maskedThreshold)] {
            if let value, !(value.isFinite && value >= -1 && value <= 1) {
                return "the \(name) must be a cosine similarity from -1 to 1, not \(value)"
            }
        }
        if note.allSatisfy(\.isWhitespace) { return "say who reviewed them and on what evidence (a note)" }
        return nil
    }

    /// The store's text form.
    var stored: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        // Encoding floats, optionals, a string and a date cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads the store's text form.
    static func parse(_ text: String) throws(GalleryError) -> ReviewedThresholds {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let value = try? decoder.decode(ReviewedThresholds.self, from: Data(text.utf8)) else {
            throw .invalidThresholds(reason: "the gallery's stored ones cannot be read (\(text.prefix(200)))")
        }
        if let problem = value.problem { throw .invalidThresholds(reason: "the gallery's stored ones are invalid: \(problem)") }
        return value
    }
}
