import Foundation

/// The CFP (Celebrities in Frontal-Profile) verification protocol.
///
/// Layout under the data set root: `Protocol/Pair_list_F.txt` and `Protocol/Pair_list_P.txt`
/// list images as `index path` lines, paths relative to `Protocol/`
/// (`../Data/Images/001/frontal/01.jpg`); `Protocol/Split/{FF,FP}/01…10/{same,diff}.txt` hold
/// `i,j` lines of 1-based indices: for FF both into the frontal list, for FP `i` frontal and
/// `j` profile. The standard split is 10 folds of 350 genuine and 350 impostor pairs.
public enum CFPProtocol: String, Sendable, CaseIterable {
    /// Frontal–frontal.
    case frontalFrontal = "cfp-ff"
    /// Frontal–profile.
    case frontalProfile = "cfp-fp"

    /// "CFP-FF" or "CFP-FP".
    public var displayName: String { rawValue.uppercased() }

    var splitFolder: String { self == .frontalFrontal ? "FF" : "FP" }

    static let hint = "Point --cfp at the CFP folder (with Data/ and Protocol/), e.g. ../shared/data/cfp."

    /// Parses a `Pair_list_*.txt` file: `index path` per line, index 1-based. Blank lines are skipped.
    static func parsePairList(_ text: String, path: String) throws(EvaluationError) -> [Int: String] {
        var entries: [Int: String] = [:]
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            let fields = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, let index = Int(fields[0]), index >= 1 else {
                throw .malformed(path: path, line: number + 1, reason: "expected `index path`, found \"\(line)\"")
            }
            guard entries[index] == nil else {
                throw .malformed(path: path, line: number + 1, reason: "index \(index) is listed twice")
            }
            entries[index] = fields[1].trimmingCharacters(in: .whitespaces)
        }
        guard !entries.isEmpty else { throw .empty(path: path, what: "image entries") }
        return entries
    }

    /// Parses a split file (`same.txt`, `diff.txt`): `i,j` per line, both 1-based.
    static func parseSplit(_ text: String, path: String) throws(EvaluationError) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, let i = Int(fields[0]), let j = Int(fields[1]), i >= 1, j >= 1 else {
                throw .malformed(path: path, line: number + 1, reason: "expected `i,j` with 1-based indices, found \"\(line)\"")
            }
            pairs.append((i, j))
        }
        guard !pairs.isEmpty else { throw .empty(path: path, what: "pairs") }
        return pairs
    }
}

extension VerificationPairs {
    /// The CFP pairs of one protocol, in fold order, with image paths resolved under `root`.
    ///
    /// - Parameter folds: which folds to load, 1-based; default all ten.
    /// - Throws: ``EvaluationError`` naming the missing or malformed file; an index missing from
    ///   the pair list is reported with the split file and line that used it.
    public static func cfp(root: String, protocol kind: CFPProtocol, folds: [Int] = Array(1...10)) throws(EvaluationError) -> VerificationPairs {
        try EvaluationError.requireDirectory(root, hint: CFPProtocol.hint)
        let protocolDirectory = root + "/Protocol"
        let frontalPath = protocolDirectory + "/Pair_list_F.txt", profilePath = protocolDirectory + "/Pair_list_P.txt"
        let frontal = try CFPProtocol.parsePairList(EvaluationError.readText(frontalPath, hint: CFPProtocol.hint), path: frontalPath)
        let profile = kind == .frontalProfile
            ? try CFPProtocol.parsePairList(EvaluationError.readText(profilePath, hint: CFPProtocol.hint), path: profilePath)
            : frontal
        let secondListPath = kind == .frontalProfile ? profilePath : frontalPath

        func resolve(_ relative: String) -> String {
            URL(fileURLWithPath: protocolDirectory + "/" + relative).standardizedFileURL.path
        }

        var pairs: [LabeledPair] = []
        for fold in folds {
            for (file, same) in [("same.txt", true), ("diff.txt", false)] {
                let path = protocolDirectory + "/Split/\(kind.splitFolder)/" + String(format: "%02d", fold) + "/" + file
                let text = try EvaluationError.readText(path, hint: CFPProtocol.hint)
                for (number, (i, j)) in try CFPProtocol.parseSplit(text, path: path).enumerated() {
                    guard let first = frontal[i] else {
                        throw .malformed(path: path, line: number + 1, reason: "index \(i) is not in \(frontalPath)")
                    }
                    guard let second = profile[j] else {
                        throw .malformed(path: path, line: number + 1, reason: "index \(j) is not in \(secondListPath)")
                    }
                    pairs.append(LabeledPair(first: resolve(first), second: resolve(second), same: same, fold: fold - 1))
                }
            }
        }
        return VerificationPairs(
            name: kind.displayName, source: root,
            foldsDescription: "the standard CFP split: \(folds.count) fold\(folds.count == 1 ? "" : "s") of 350 genuine + 350 impostor pairs",
            pairs: pairs)
    }
}
