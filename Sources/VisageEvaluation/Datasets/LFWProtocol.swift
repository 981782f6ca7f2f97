import Foundation

/// LFW (Labeled Faces in the Wild) verification, View 2: the official `pairs.txt`.
///
/// The file starts with a header `folds n` (View 2: `10 300`), then, for each fold in turn,
/// `n` genuine lines `name i j` (two photos of one person) and `n` impostor lines
/// `name1 i name2 j`, fields separated by tabs or spaces, photo numbers 1-based. Photo `i` of
/// `name` is `<images>/<name>/<name>_<iiii>.jpg`. The folds are the file's own: scores are
/// thresholded on nine folds and tested on the tenth, as LFW's protocol prescribes, rather
/// than on folds drawn by us. A header with one number (`1100`, View 1's `pairsDevTrain.txt`)
/// is one fold of that many genuine and that many impostor pairs.
public enum LFWProtocol {
    static let hint = "Give LFW's images folder (<name>/<name>_0001.jpg inside) and its pairs.txt with --pairs, e.g. `visage eval verification --protocol lfw /tmp/lfw/images --pairs ../shared/data/protocols/lfw_pairs.txt`."

    /// One line of `pairs.txt`: photo numbers are 1-based.
    struct Entry: Equatable {
        var firstName: String, firstNumber: Int
        var secondName: String, secondNumber: Int
        var same: Bool
        /// 0-based fold.
        var fold: Int
    }

    /// Parses the whole file, checking that each fold holds exactly `n` genuine lines followed
    /// by `n` impostor lines; blank lines are skipped.
    static func parse(_ text: String, path: String) throws(EvaluationError) -> (folds: Int, perFold: Int, entries: [Entry]) {
        var lines: [(number: Int, fields: [Substring])] = []
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if !fields.isEmpty { lines.append((number + 1, fields)) }
        }
        guard let header = lines.first else { throw .empty(path: path, what: "pairs") }
        let counts = header.fields.map { Int($0) }
        let folds: Int, perFold: Int
        switch counts.count {
        case 2 where counts.allSatisfy({ ($0 ?? 0) >= 1 }): (folds, perFold) = (counts[0]!, counts[1]!)
        case 1 where (counts[0] ?? 0) >= 1: (folds, perFold) = (1, counts[0]!)
        default:
            throw .malformed(path: path, line: header.number, reason: "expected the header `folds pairs-per-set` (View 2: `10 300`), found \"\(header.fields.joined(separator: " "))\"")
        }
        let body = lines.dropFirst()
        guard body.count == folds * 2 * perFold else {
            throw .malformed(path: path, line: nil, reason: "the header promises \(folds) fold(s) of \(perFold) genuine + \(perFold) impostor pairs (\(folds * 2 * perFold) lines), the file has \(body.count)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(body.count)
        for (offset, line) in body.enumerated() {
            let fold = offset / (2 * perFold)
            let same = offset % (2 * perFold) < perFold
            let f = line.fields
            let numbers: (Int?, Int?)
            let names: (Substring, Substring)
            if same, f.count == 3 {
                names = (f[0], f[0]); numbers = (Int(f[1]), Int(f[2]))
            } else if !same, f.count == 4 {
                names = (f[0], f[2]); numbers = (Int(f[1]), Int(f[3]))
            } else {
                let expected = same ? "`name i j` (a genuine pair)" : "`name1 i name2 j` (an impostor pair)"
                throw .malformed(path: path, line: line.number, reason: "fold \(fold + 1) expects \(expected) here, found \"\(f.joined(separator: " "))\"")
            }
            guard let i = numbers.0, let j = numbers.1, i >= 1, j >= 1 else {
                throw .malformed(path: path, line: line.number, reason: "photo numbers must be whole numbers from 1, found \"\(f.joined(separator: " "))\"")
            }
            entries.append(Entry(firstName: String(names.0), firstNumber: i, secondName: String(names.1), secondNumber: j, same: same, fold: fold))
        }
        return (folds, perFold, entries)
    }

    /// `<images>/<name>/<name>_<0001>.jpg`.
    static func imagePath(images: String, name: String, number: Int) -> String {
        images + "/" + name + "/" + name + "_" + String(format: "%04d", number) + ".jpg"
    }
}

extension VerificationPairs {
    /// LFW's View 2 pairs in the file's own folds, with image paths under `images`.
    ///
    /// - Parameters:
    ///   - images: the folder holding one folder per person (`Aaron_Eckhart/Aaron_Eckhart_0001.jpg`).
    ///   - pairsFile: LFW's `pairs.txt`.
    ///   - folds: which folds to load, 1-based; default all.
    /// - Throws: ``EvaluationError`` naming the missing or malformed file, or a fold the file lacks.
    public static func lfw(images: String, pairsFile: String, folds: [Int]? = nil) throws(EvaluationError) -> VerificationPairs {
        try EvaluationError.requireDirectory(images, hint: LFWProtocol.hint)
        let parsed = try LFWProtocol.parse(EvaluationError.readText(pairsFile, hint: LFWProtocol.hint), path: pairsFile)
        let wanted = folds ?? Array(1...parsed.folds)
        if let missing = wanted.first(where: { !(1...parsed.folds).contains($0) }) {
            throw .malformed(path: pairsFile, line: nil, reason: "fold \(missing) was asked for; the file has \(parsed.folds)")
        }
        let kept = Set(wanted.map { $0 - 1 })
        let root = URL(fileURLWithPath: images).standardizedFileURL.path
        let pairs = parsed.entries.filter { kept.contains($0.fold) }.map {
            LabeledPair(first: LFWProtocol.imagePath(images: root, name: $0.firstName, number: $0.firstNumber),
                        second: LFWProtocol.imagePath(images: root, name: $0.secondName, number: $0.secondNumber),
                        same: $0.same, fold: $0.fold)
        }
        return VerificationPairs(
            name: "LFW", source: root,
            foldsDescription: "LFW's official folds from \(URL(fileURLWithPath: pairsFile).lastPathComponent): \(wanted.count) fold\(wanted.count == 1 ? "" : "s") of \(parsed.perFold) genuine + \(parsed.perFold) impostor pairs",
            pairs: pairs)
    }
}
