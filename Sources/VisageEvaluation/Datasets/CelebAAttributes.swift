import Foundation

/// CelebA's attribute list (`list_attr_celeba.txt`): a count line, a line of 40 attribute
/// names, then `file v1 … v40` with values -1 or 1.
///
/// ```swift
/// let attributes = try CelebAAttributes(contentsOf: "../shared/data/celeba-attributes/list_attr_celeba.txt")
/// print(attributes.names.count, attributes.labels["000001.jpg"]?[attributes.names.firstIndex(of: "Smiling")!])
/// ```
public struct CelebAAttributes: Sendable {
    public var names: [String]
    /// File name → one Bool per attribute (true for 1).
    public var labels: [String: [Bool]]

    public init(contentsOf path: String) throws(EvaluationError) {
        let text = try EvaluationError.readText(path, hint: "Point --celeba at the folder holding list_attr_celeba.txt and images/.")
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws(EvaluationError) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard lines.count >= 2, let declared = Int(lines[0]) else {
            throw .malformed(path: path, line: 1, reason: "expected the number of images on the first line")
        }
        names = lines[1].split(whereSeparator: \.isWhitespace).map(String.init)
        guard !names.isEmpty else { throw .malformed(path: path, line: 2, reason: "expected the attribute names on the second line") }
        var labels: [String: [Bool]] = [:]
        for (offset, line) in lines.dropFirst(2).enumerated() where !line.isEmpty {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == names.count + 1 else {
                throw .malformed(path: path, line: offset + 3, reason: "expected a file name and \(names.count) values, found \(fields.count) fields")
            }
            var values: [Bool] = []
            for field in fields.dropFirst() {
                switch field {
                case "1": values.append(true)
                case "-1", "0": values.append(false)
                default: throw .malformed(path: path, line: offset + 3, reason: "the value \"\(field)\" is neither 1 nor -1")
                }
            }
            labels[String(fields[0])] = values
        }
        guard !labels.isEmpty else { throw .empty(path: path, what: "labelled images") }
        _ = declared  // The count line is often stale in subsets; the rows are what count.
        self.labels = labels
    }
}
