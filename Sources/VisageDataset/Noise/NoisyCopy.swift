import VisageCore
import Foundation

/// A copy of an identity-folder dataset, made of symbolic links, with planted label noise and
/// a ground-truth manifest: the test bench for ``DatasetCleaner``.
///
/// First `splitCount` identities are each split in two: a random half of their images moves
/// to a new folder `split-NN` (the pair is a planted duplicate). Then a fraction `wrongFraction`
/// of all images is moved into another identity's folder, chosen at random among folders that
/// are not the image's own person (planted outliers), renamed `<from>-<file>` to avoid clashes.
/// The manifest, `noisy-manifest.json` at the top of the copy (a file, so the walker ignores
/// it), lists every moved image and every split.
///
/// ```swift
/// let plan = try NoisyCopy(source: "cfp/Data/Images", wrongFraction: 0.05, splitCount: 10, seed: 1).plan()
/// try plan.write(to: "/tmp/cfp-noisy")
/// ```
public struct NoisyCopy: Sendable {
    public static let manifestName = "noisy-manifest.json"

    public var source: String
    public var wrongFraction: Double
    public var splitCount: Int
    public var seed: UInt64

    public init(source: String, wrongFraction: Double, splitCount: Int, seed: UInt64) {
        self.source = source
        self.wrongFraction = wrongFraction
        self.splitCount = splitCount
        self.seed = seed
    }

    /// Decides every image's place in the copy; nothing is written.
    public func plan() throws(DatasetError) -> NoisyManifest {
        let listing = try DatasetWalker(root: source).walk()
        var rng = SeededGenerator(seed: seed)
        let splitIdentities = Array(listing.identities.shuffled(using: &rng).prefix(splitCount)).sorted()
        // Where each image goes (folder, path below the folder), keyed by source relative path.
        var folderOf: [String: String] = [:]
        var splits: [NoisyManifest.Split] = []
        for (k, id) in splitIdentities.enumerated() {
            let name = String(format: "split-%02d", k + 1)
            let members = listing.images.filter { $0.identity == id }.shuffled(using: &rng)
            let moved = members.prefix(members.count / 2)
            for image in moved { folderOf[image.relativePath] = name }
            splits.append(.init(identity: id, newIdentity: name, moved: moved.count))
        }
        let trueFolders: [String: Set<String>] = {
            var map: [String: Set<String>] = [:]
            for id in listing.identities { map[id] = [id] }
            for s in splits { map[s.identity, default: []].insert(s.newIdentity) }
            return map
        }()
        let allFolders = listing.identities + splits.map(\.newIdentity)
        let wrongCount = Int((wrongFraction * Double(listing.images.count)).rounded())
        let wrong = Array(listing.images.shuffled(using: &rng).prefix(wrongCount)).sorted()
        var entries: [NoisyManifest.Entry] = []
        var moves: [NoisyManifest.Move] = []
        let wrongSet = Set(wrong.map(\.relativePath))
        for image in listing.images {
            let below = String(image.relativePath.dropFirst(image.identity.count + 1))
            let homeFolder = folderOf[image.relativePath] ?? image.identity
            if wrongSet.contains(image.relativePath) {
                let own = trueFolders[image.identity] ?? [image.identity]
                var target = homeFolder
                while own.contains(target) { target = allFolders.randomElement(using: &rng)! }
                let dir = (below as NSString).deletingLastPathComponent
                let file = homeFolder + "-" + (below as NSString).lastPathComponent
                let path = target + "/" + (dir.isEmpty ? file : dir + "/" + file)
                entries.append(.init(path: path, source: image.relativePath, identity: image.identity))
                moves.append(.init(path: path, source: image.relativePath, from: homeFolder, to: target))
            } else {
                entries.append(.init(path: homeFolder + "/" + below, source: image.relativePath, identity: image.identity))
            }
        }
        return NoisyManifest(source: URL(fileURLWithPath: source).standardizedFileURL.path, seed: seed, wrongFraction: wrongFraction,
                             images: entries, moved: moves, splits: splits)
    }
}

/// The ground truth of a ``NoisyCopy``: where every image went and which folders are one person.
public struct NoisyManifest: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        /// Relative path in the copy.
        public var path: String
        /// Relative path in the source.
        public var source: String
        /// The person really shown (the source folder).
        public var identity: String
    }

    public struct Move: Codable, Sendable, Equatable {
        public var path: String
        public var source: String
        /// The folder it belonged in (its own, or its split folder).
        public var from: String
        /// The wrong folder it was put in.
        public var to: String
    }

    public struct Split: Codable, Sendable, Equatable {
        public var identity: String
        public var newIdentity: String
        public var moved: Int
    }

    /// Absolute path of the source dataset.
    public var source: String
    public var seed: UInt64
    public var wrongFraction: Double
    public var images: [Entry]
    public var moved: [Move]
    public var splits: [Split]

    /// Writes the symbolic links and the manifest into `output`, which must be new or empty.
    public func write(to output: String) throws(DatasetError) {
        let fm = FileManager.default
        let absoluteOutput = URL(fileURLWithPath: output).standardizedFileURL.path
        if absoluteOutput == source || absoluteOutput.hasPrefix(source + "/") {
            throw .outputInsideInput(output: output, input: source)
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notADirectory(path: output) }
            if let contents = try? fm.contentsOfDirectory(atPath: output), !contents.isEmpty { throw .outputNotEmpty(path: output) }
        }
        do {
            for entry in images {
                let destination = output + "/" + entry.path
                try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: destination, withDestinationPath: source + "/" + entry.source)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(self).write(to: URL(fileURLWithPath: output + "/" + NoisyCopy.manifestName))
        } catch {
            throw .unwritable(path: output, reason: error.localizedDescription)
        }
    }

    public static func load(_ path: String) throws(DatasetError) -> NoisyManifest {
        // Not `.missing`, whose advice is about identity folders: this is the manifest given as --truth.
        let data: Data
        do { data = try SmallFile.contents(of: path) } catch {
            throw .malformed(path: path, reason: "cannot read the noisy-copy manifest (\(error.reason))")
        }
        do { return try JSONDecoder().decode(NoisyManifest.self, from: data) } catch {
            throw .malformed(path: path, reason: "not a noisy-copy manifest (\(DecodingProblem.describe(error, in: data)))")
        }
    }

    /// True identity by path in the copy.
    public var trueIdentity: [String: String] { Dictionary(images.map { ($0.path, $0.identity) }, uniquingKeysWith: { a, _ in a }) }
}
