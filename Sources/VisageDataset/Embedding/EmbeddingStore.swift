import Foundation
import VisageCore

/// The embedding cache of a dataset: one append-only TSV file per shard in an output folder
/// (never in the dataset), `embeddings-<i>-of-<n>.tsv`, and the merge of all of them.
///
/// Each file starts with `# visage-dataset-embeddings 2 root=<dataset> models=<model folder>
/// shard=<i>/<n>`, then one line per image:
/// `path  identity  status  faces  box  score  second  yaw  payload` (tab-separated), where `box` is
/// `x y w h` in image pixels (or `-`), `payload` is the embedding as base64 of 128 little-endian
/// float32 (status `face`), empty (`noface`) or the error message (`error`). Lines are appended
/// as images finish, so an interrupted job keeps its work; a line cut short is ignored on load.
/// Tabs, newlines and `%` in paths and messages are %-escaped.
///
/// ```swift
/// var store = try EmbeddingStore(folder: "out/clean", root: "faces", models: "~/.cache/visage/models")
/// let records = try store.loadAll()     // every shard's file, merged by path
/// ```
public struct EmbeddingStore: Sendable {
    public static let filePrefix = "embeddings-"

    public var folder: String
    /// The dataset root as given; the header holds its absolute, standardised form.
    public var root: String
    public var models: String

    public init(folder: String, root: String, models: String) {
        self.folder = folder
        self.root = root
        self.models = models
    }

    public func fileName(for shard: Shard) -> String { "\(Self.filePrefix)\(shard.index)-of-\(shard.count).tsv" }

    var rootIdentity: String { URL(fileURLWithPath: root).standardizedFileURL.path }

    func header(for shard: Shard) -> String {
        "# visage-dataset-embeddings 2 root=\(Self.escape(rootIdentity)) models=\(Self.escape(models)) shard=\(shard)"
    }

    /// Every record of every shard file in the folder, by relative path; a path in two files
    /// (a shard re-run with another n) keeps the first file's record in name order.
    ///
    /// - Throws: ``DatasetError/cacheMismatch(path:expected:found:)`` when a file was made for
    ///   another dataset root or model folder.
    public func loadAll() throws(DatasetError) -> [String: EmbeddingRecord] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return [:] }
        var merged: [String: EmbeddingRecord] = [:]
        for name in names.sorted() where name.hasPrefix(Self.filePrefix) && name.hasSuffix(".tsv") {
            for record in try load(path: folder + "/" + name) where merged[record.relativePath] == nil {
                merged[record.relativePath] = record
            }
        }
        return merged
    }

    /// The records of one file, checking that its header names this root and model folder.
    public func load(path: String) throws(DatasetError) -> [EmbeddingRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        // A last line without its newline was cut short by an interrupted job. It may still
        // parse (an error message cut anywhere, an embedding cut at a 4-character boundary
        // into fewer floats), so it is dropped whatever it holds, and the image embedded again.
        if !text.hasSuffix("\n"), lines.count > 1 { lines.removeLast() }
        guard let first = lines.first, first.hasPrefix("# visage-dataset-embeddings 2 ") else {
            throw .malformed(path: path, reason: "not a visage dataset embedding cache of format 2 (an older visage made it, or it is another file); delete it")
        }
        let expected = "root=\(Self.escape(rootIdentity)) models=\(Self.escape(models))"
        let fields = first.split(separator: " ")
        let found = fields.filter { $0.hasPrefix("root=") || $0.hasPrefix("models=") }.joined(separator: " ")
        guard found == expected else {
            throw .cacheMismatch(path: path, expected: Self.unescape(expected[...]), found: Self.unescape(found[...]))
        }
        lines.removeFirst()
        return lines.compactMap(Self.parse)
    }

    static func parse(_ line: Substring) -> EmbeddingRecord? {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == 9, let status = EmbeddingRecord.Status(rawValue: String(f[2])), let faces = Int(f[3]),
              let second = Float(f[6]), let yaw = Float(f[7]) else { return nil }
        var record = EmbeddingRecord(relativePath: unescape(f[0]), identity: unescape(f[1]), status: status,
                                     faceCount: faces, secondFaceRatio: second, yaw: yaw)
        if f[4] != "-" {
            let v = f[4].split(separator: " ").compactMap { Float($0) }
            guard v.count == 4 else { return nil }
            record.box = Rect(x: v[0], y: v[1], width: v[2], height: v[3])
        }
        record.score = f[5] == "-" ? nil : Float(f[5])
        switch status {
        case .face:
            guard let data = Data(base64Encoded: String(f[8])), data.count % 4 == 0, !data.isEmpty else { return nil }
            record.embedding = data.withUnsafeBytes { raw in
                (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
        case .noFace: break
        case .error: record.error = unescape(f[8])
        }
        return record
    }

    static func line(_ r: EmbeddingRecord) -> String {
        let box = r.box.map { String(format: "%.1f %.1f %.1f %.1f", $0.x, $0.y, $0.width, $0.height) } ?? "-"
        let score = r.score.map { String(format: "%.4f", $0) } ?? "-"
        var payload = ""
        if let e = r.embedding {
            var bytes = Data(capacity: e.count * 4)
            for value in e { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            payload = bytes.base64EncodedString()
        } else if let error = r.error {
            payload = escape(error)
        }
        return [escape(r.relativePath), escape(r.identity), r.status.rawValue, String(r.faceCount), box, score,
                String(format: "%.3f", r.secondFaceRatio), String(format: "%.3f", r.yaw), payload].joined(separator: "\t")
    }

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "%" || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == " " }) else { return s }
        return s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\t", with: "%09")
            .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: " ", with: "%20")
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("%") else { return String(s) }
        return String(s).replacingOccurrences(of: "%20", with: " ").replacingOccurrences(of: "%0D", with: "\r")
            .replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%09", with: "\t")
            .replacingOccurrences(of: "%25", with: "%")
    }

    /// An open shard file that records are appended to, created with its header when new.
    public final class Writer {
        private let handle: FileHandle
        private var buffer = ""
        private var pending = 0
        public let path: String

        init(store: EmbeddingStore, shard: Shard) throws(DatasetError) {
            let fm = FileManager.default
            path = store.folder + "/" + store.fileName(for: shard)
            do {
                try fm.createDirectory(atPath: store.folder, withIntermediateDirectories: true)
                if !fm.fileExists(atPath: path) {
                    try Data((store.header(for: shard) + "\n").utf8).write(to: URL(fileURLWithPath: path))
                } else {
                    _ = try store.load(path: path)  // refuses another root's or model's file
                }
                handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
                // A line an interrupted job cut short is truncated away (``load(path:)`` ignores
                // it), so the next record starts a line of its own instead of being glued onto it.
                try CacheFile.dropLineCutShort(handle)
            } catch let error as DatasetError {
                throw error
            } catch {
                throw .unwritable(path: path, reason: error.localizedDescription)
            }
        }

        public func append(_ record: EmbeddingRecord) throws(DatasetError) {
            buffer += EmbeddingStore.line(record) + "\n"
            pending += 1
            // Flushing every 64 images keeps an interrupted job's work without a write per image.
            if pending >= 64 { try flush() }
        }

        public func flush() throws(DatasetError) {
            guard !buffer.isEmpty else { return }
            do { try handle.write(contentsOf: Data(buffer.utf8)) } catch { throw .unwritable(path: path, reason: error.localizedDescription) }
            buffer = ""
            pending = 0
        }

        deinit {
            try? flush()
            try? handle.close()
        }
    }

    public func writer(for shard: Shard) throws(DatasetError) -> Writer { try Writer(store: self, shard: shard) }
}
