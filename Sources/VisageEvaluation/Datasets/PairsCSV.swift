import Foundation

extension VerificationPairs {
    /// Pairs from a CSV file `file_x,file_y,Decision` (DeepFace's test set format): a header
    /// line, then one pair per line with image names relative to `images` and a decision of
    /// `Yes`/`No` (also `true`/`false`, `1`/`0`, `same`/`different`, any case).
    ///
    /// The file has no folds of its own, so they are made deterministically with
    /// ``VerificationMetrics/stratifiedFolds(_:count:)``.
    ///
    /// - Throws: ``EvaluationError`` naming the file and line of a malformed row.
    public static func csv(file: String, images: String, folds: Int = 10) throws(EvaluationError) -> VerificationPairs {
        let hint = "Give --pairs-csv a CSV file with the columns file_x,file_y,Decision."
        try EvaluationError.requireDirectory(images, hint: "Give --images the folder the CSV's file names are relative to.")
        let text = try EvaluationError.readText(file, hint: hint)
        var rows: [(String, String, Bool)] = []
        var sawHeader = false
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            guard fields.count == 3 else {
                throw .malformed(path: file, line: number + 1, reason: "expected 3 comma-separated fields (file_x,file_y,Decision), found \(fields.count)")
            }
            if !sawHeader {
                sawHeader = true
                if fields[2].lowercased() == "decision" || fields[0].lowercased() == "file_x" { continue }
            }
            guard let same = decision(fields[2]) else {
                throw .malformed(path: file, line: number + 1, reason: "the decision \"\(fields[2])\" is neither Yes nor No")
            }
            guard !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .malformed(path: file, line: number + 1, reason: "an image name is empty")
            }
            rows.append((fields[0], fields[1], same))
        }
        guard !rows.isEmpty else { throw .empty(path: file, what: "pairs") }
        let base = images.hasSuffix("/") ? images : images + "/"
        let foldOf = VerificationMetrics.stratifiedFolds(rows.map(\.2), count: folds)
        let pairs = rows.enumerated().map { index, row in
            LabeledPair(first: base + row.0, second: base + row.1, same: row.2, fold: foldOf[index])
        }
        let name = URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
        return VerificationPairs(
            name: name.isEmpty ? "pairs" : name, source: file,
            foldsDescription: "\(folds) stratified folds made from the file order (j-th genuine and j-th impostor pair in fold j mod \(folds))",
            pairs: pairs)
    }

    private static func decision(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "true", "1", "same": true
        case "no", "false", "0", "different", "diff": false
        default: nil
        }
    }
}
