import Foundation
import VisageCore

/// An operator's own labelled photos: one folder per person (`DIR/<person>/…`), the photos
/// anywhere below it (`<person>/masked/*.jpg` and `<person>/unmasked/*.jpg` are fine too, so
/// `../shared/data/masked-people` reads as it is). The folder name is the label.
///
/// ```swift
/// let people = try PeopleFolders(root: "pilot-photos")
/// print(people.people.map(\.name), people.photoCount)
/// ```
public struct PeopleFolders: Sendable {
    /// One person's photos, paths sorted.
    public struct Person: Sendable, Hashable {
        public var name: String
        public var photos: [String]
    }

    public var root: String
    /// People with at least one photo, sorted by name.
    public var people: [Person]

    public var photoCount: Int { people.reduce(0) { $0 + $1.photos.count } }

    /// Person → group from a CSV file of `person,group` lines (a header line `person,group` and
    /// blank lines are skipped; the person is the folder's name): the groups a pilot's per-group
    /// table is made of (`visage calibrate --protocol folders --groups FILE`).
    public static func groups(csv path: String) throws(EvaluationError) -> [String: String] {
        let text = try EvaluationError.readText(path, hint: "Give a CSV file of person,group lines.")
        var groups: [String: String] = [:]
        // By newline characters: "\r\n" is one Character in Swift, which a split on "\n" would not cut.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || (index == 0 && line.lowercased().replacingOccurrences(of: " ", with: "") == "person,group") { continue }
            let fields = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .malformed(path: path, line: index + 1, reason: "expected person,group, got \"\(line.prefix(80))\"")
            }
            if let earlier = groups[fields[0]], earlier != fields[1] {
                throw .malformed(path: path, line: index + 1, reason: "\(fields[0]) is in \(earlier) already")
            }
            groups[fields[0]] = fields[1]
        }
        guard !groups.isEmpty else { throw .empty(path: path, what: "person,group lines") }
        return groups
    }

    /// Reads the folder. Needs two people with photos: with one there is no impostor.
    public init(root: String) throws(EvaluationError) {
        try EvaluationError.requireDirectory(root, hint: "Give a folder with one folder of photos per person (<person>/*.jpg).")
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        var people: [Person] = []
        for name in names {
            let folder = root + "/" + name
            // Hidden files and folders (".DS_Store", ".thumbnails") are not photos of the person.
            // A person's folder may be a link (to a share, to another data set): list what it points at.
            let target = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
            var photos: [String] = []
            if let walk = fm.enumerator(atPath: target) {
                while let relative = walk.nextObject() as? String {
                    // A folder named like a photo ("2019.jpg/") is walked into, not read as one.
                    guard walk.fileAttributes?[.type] as? FileAttributeType != .typeDirectory,
                          !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                          ImageFormat.hasImageExtension(relative) else { continue }
                    photos.append(folder + "/" + relative)
                }
            }
            photos.sort()
            if !photos.isEmpty { people.append(Person(name: name, photos: photos)) }
        }
        guard people.count >= 2 else {
            throw .malformed(path: root, line: nil, reason: "a pilot needs photos of two or more people, one folder each (<person>/*.jpg); found \(people.count)")
        }
        self.root = root
        self.people = people
    }
}
