import Foundation
import VisageCore
import VisageModels

/// Embeddings of whole images (largest face), kept in a text file in the output folder so a
/// re-run skips the images it has seen: CFP's 7,000 images take minutes, a cached run seconds.
///
/// Format: a header line `# visage-embeddings 2 models=<dir> files=<fingerprint>` (the detector's
/// and the embedder's size and modification time; plus ` fallback=<score>` when the
/// analyzer keeps weaker faces, which changes what "no face" means), then one line per image,
/// `path<TAB>face<TAB>v1 v2 … v128` or `path<TAB>noface`. Unreadable images are not cached,
/// so they are tried again. A header for another model folder or other model files discards the file.
struct EmbeddingCache {
    static let fileName = "embeddings.tsv"

    let path: String
    let header: String
    /// nil value: the image was read and has no face.
    private(set) var entries: [String: [Float]?] = [:]
    private var unsaved = 0
    /// False when `path` holds some other file, which is then neither read nor overwritten.
    private let writable: Bool

    static let magic = "# visage-embeddings "

    /// Whether `path` is missing, empty or a cache of this kind (of any models): only such a
    /// file may be replaced. A mistyped --embeddings-cache must not overwrite someone's file.
    static func isCacheOrMissing(_ path: String) -> Bool { CacheFile.isMissingOrStarts(path, with: magic) }

    /// `precision` and `flipAverage` change the embeddings, so a header that differs in them
    /// discards the file; at their defaults they add nothing to the header, so caches
    /// written before they existed stay valid.
    init(path: String, models: URL, fallbackScore: Float?, precision: SFaceEmbedder.Precision = .float32, flipAverage: Bool = false) {
        self.path = path
        let files = ModelFingerprint.of([YuNetDetector.contract.fileName, SFaceEmbedder.contract(for: precision).fileName], in: models)
        header = "# visage-embeddings 2 models=\(models.path) files=\(files)" + (fallbackScore.map { " fallback=\($0)" } ?? "")
            + (flipAverage ? " flip=1" : "")
        writable = Self.isCacheOrMissing(path)
        guard writable, let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return }
        var lines = text.split(whereSeparator: \.isNewline)
        guard let first = lines.first, first == header else { return }
        lines.removeFirst()
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            switch fields[1] {
            case "noface":
                entries[String(fields[0])] = .some(nil)
            case "face" where fields.count == 3:
                let values = fields[2].split(separator: " ").compactMap { Float($0) }
                if !values.isEmpty { entries[String(fields[0])] = values }
            default:
                continue  // a line cut short by an interrupted run
            }
        }
    }

    subscript(path: String) -> [Float]?? { entries[path] }

    mutating func record(_ path: String, embedding: [Float]?) {
        entries[path] = .some(embedding)
        unsaved += 1
        // Keep an interrupted run's work.
        if unsaved >= 500 { try? save() }
    }

    mutating func save() throws {
        guard writable else { return }
        var out = header + "\n"
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            guard !key.contains("\t"), !key.contains("\n") else { continue }
            if let embedding = value {
                out += key + "\tface\t" + embedding.map { String($0) }.joined(separator: " ") + "\n"
            } else {
                out += key + "\tnoface\n"
            }
        }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
        unsaved = 0
    }
}
