public import Foundation

/// What every evaluation produces: a JSON-encodable result that renders itself as a markdown
/// table. ``write(to:)`` puts `report.json` and `report.md` in the output folder (the plots
/// are written there by the evaluation itself).
public protocol EvaluationReport: Codable, Sendable {
    /// The evaluation's kind: "verification", "age-gender", "detection".
    var kind: String { get }
    /// A short name for the data set and split, such as "CFP-FP".
    var name: String { get }
    /// The report as markdown: a heading, then tables.
    func markdown() -> String
}

extension EvaluationReport {
    /// Writes `report.json` and `report.md` into `directory`, creating it.
    public func write(to directory: String) throws(EvaluationError) {
        try ReportFiles.createDirectory(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: Data
        do { json = try encoder.encode(self) } catch {
            throw .unwritable(path: directory + "/report.json", reason: error.localizedDescription)
        }
        try ReportFiles.write(json, to: directory + "/report.json")
        try ReportFiles.write(Data(markdown().utf8), to: directory + "/report.md")
    }
}

/// Creating report folders and writing report files, with errors that name the path; shared by
/// every module that writes reports (the evaluations here, the QA benchmark in VisageAsk).
public enum ReportFiles {
    /// A CSV field: quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ text: String) -> String {
        text.contains { $0 == "," || $0 == "\"" || $0.isNewline } ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    public static func createDirectory(_ path: String) throws(EvaluationError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    public static func write(_ data: Data, to path: String) throws(EvaluationError) {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// A text file written line by line in 1 MiB pieces, for tables too long to build in
    /// memory first (every pair of a few thousand photos).
    struct LineWriter {
        let path: String
        private let handle: FileHandle
        private var buffer = Data()

        init(path: String) throws(EvaluationError) {
            self.path = path
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw .unwritable(path: path, reason: "the file cannot be created")
            }
            self.handle = handle
        }

        mutating func append(_ line: String) throws(EvaluationError) {
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { try flush() }
        }

        /// Writes what is buffered and closes the file.
        mutating func close() throws(EvaluationError) {
            try flush()
            try? handle.close()
        }

        private mutating func flush() throws(EvaluationError) {
            do { try handle.write(contentsOf: buffer) } catch {
                throw .unwritable(path: path, reason: error.localizedDescription)
            }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// Number formatting shared by the markdown tables.
public enum Format {
    /// 0.99403 → "99.40%".
    static func percent(_ value: Double, decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f%%", value * 100)
    }

    /// Mean ± std as percentages: "99.40 ± 0.37%".
    static func percent(_ mean: Double, _ std: Double) -> String {
        String(format: "%.2f ± %.2f%%", mean * 100, std * 100)
    }

    static func number(_ value: Double, decimals: Int = 3) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func number(_ value: Float, decimals: Int = 3) -> String { number(Double(value), decimals: decimals) }

    /// 1e-3 → "1e-3".
    static func rate(_ value: Double) -> String {
        let exponent = log10(value)
        return exponent == exponent.rounded() ? "1e\(Int(exponent))" : String(format: "%g", value)
    }

    /// Rounds for JSON so files show 0.994 rather than 0.9940000000000001.
    static func rounded(_ value: Double, _ decimals: Int = 6) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    /// A markdown table; `|` inside a cell is escaped.
    public static func table(_ header: [String], _ rows: [[String]]) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        lines += rows.map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }
}
