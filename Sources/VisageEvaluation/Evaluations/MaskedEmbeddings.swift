import Foundation
public import Visage
import VisageCore
import VisageModels

/// What mask-aware verification needs of one image, measured once and cached: the clean
/// embedding, the embedding of the same photo wearing a synthetic mask (rendered on the photo
/// at its landmarks, then the whole pipeline run again, detector included), the enrolment-time
/// masked templates (the clean face rendered with each template style and re-cropped at its
/// clean landmarks), the mask classifier's probability of `with_mask` on both photos, and the
/// masked-face attention head's embedding of both.
public struct MaskedImageRecord: Sendable, Hashable {
    public var clean: [Float]?
    /// The attention head's embedding of the clean face.
    public var cleanHead: [Float]?
    public var cleanMaskProbability: Float?
    /// The style drawn on this photo for the masked condition.
    public var style: MaskStyle
    /// Nil when the detector found no face in the masked photo.
    public var masked: [Float]?
    /// The attention head's embedding of the masked face.
    public var maskedHead: [Float]?
    public var maskedMaskProbability: Float?
    /// The detector's score for the masked face: below its usual threshold when the face was
    /// only kept by ``FaceAnalyzer/Configuration/fallbackScoreThreshold``.
    public var maskedFaceScore: Float?
    /// One per ``MaskedEmbeddings/templateStyles``; empty without a clean face.
    public var templates: [[Float]]
}

/// Per-image records for mask-aware verification, kept in a text file so the six runs
/// (three conditions, before and after) embed each image once.
///
/// File: a header `# visage-masked-embeddings 4 models=<dir> files=<fingerprint> renderer=<MaskRenderer.revision> seed=<n> templates=<styles>` (plus
/// ` fallback=<score>` when weaker faces are kept), then
/// `path<TAB>style<TAB>p_clean<TAB>p_masked<TAB>clean<TAB>masked<TAB>template;template;…<TAB>masked_score<TAB>clean_head<TAB>masked_head`
/// with `-` for a missing value and vectors as space-separated floats.
public struct MaskedEmbeddings: Sendable {
    /// Styles of the enrolment-time masked templates: one per shape family (pleated surgical,
    /// cloth, moulded N95), none of them told which style the probe wears. Mask-aware matching
    /// learns the mask's embedding offset from them.
    public static let templateStyles: [MaskStyle] = [.surgicalBlue, .blackCloth, .whiteN95]

    public var records: [String: MaskedImageRecord] = [:]
    public var unreadable: [UnreadableImage] = []

    /// The style drawn on `path` for the masked condition: a seeded hash over all five styles.
    public static func style(for path: String, seed: UInt64) -> MaskStyle {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in ((path as NSString).pathComponents.suffix(3).joined(separator: "/")).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return MaskStyle.forVariant(hash >> 17)
    }

    /// Measures every path not in the cache file (when given) and returns all records. The
    /// analyzer must compute ``FaceAnalyzer/Tasks/embedding`` and ``FaceAnalyzer/Tasks/mask``, and
    /// ``FaceAnalyzer/Tasks/maskedFaceEmbedding`` for the attention head's records.
    public static func collect(_ paths: [String], analyzer: FaceAnalyzer, seed: UInt64, cachePath: String?,
                               progress: EvaluationProgress) async -> MaskedEmbeddings {
        let models = analyzer.configuration.models.url
        let files = ModelFingerprint.of([YuNetDetector.contract.fileName, SFaceEmbedder.contract.fileName,
                                         MaskClassifier.contract.fileName, MaskedFaceAttentionHead.contract.fileName], in: models)
        let header = "# visage-masked-embeddings 4 models=\(models.path) files=\(files) renderer=\(MaskRenderer.revision) seed=\(seed) templates="
            + templateStyles.map(\.rawValue).joined(separator: ",")
            + (analyzer.configuration.fallbackScoreThreshold.map { " fallback=\($0)" } ?? "")
        var result = MaskedEmbeddings()
        var cachePath = cachePath
        if let path = cachePath {
            if let records = read(path, header: header) {
                result.records = records
            } else {
                cachePath = nil  // another file: neither read, replaced nor appended to
            }
        }
        let todo = paths.filter { result.records[$0] == nil }
        var done = paths.count - todo.count
        var lines: [String] = []
        let renderer = MaskRenderer()
        func flush() {
            guard let cachePath, !lines.isEmpty else { return }
            let exists = FileManager.default.fileExists(atPath: cachePath)
            let text = (exists ? "" : header + "\n") + lines.joined()
            if exists, let handle = FileHandle(forWritingAtPath: cachePath) {
                handle.seekToEndOfFile()
                handle.write(Data(text.utf8))
                try? handle.close()
            } else {
                try? text.write(toFile: cachePath, atomically: true, encoding: .utf8)
            }
            lines.removeAll()
        }
        for await item in analyzer.analyzeFiles(todo, keepImages: true) {
            done += 1
            progress(done, paths.count, item.path)
            let style = Self.style(for: item.path, seed: seed)
            guard case let .success(analyzed) = item.result, let image = analyzed.image else {
                if case let .failure(error) = item.result { result.unreadable.append(UnreadableImage(path: item.path, error: errorMessage(error))) }
                continue
            }
            var record = MaskedImageRecord(clean: nil, style: style, templates: [])
            if let face = analyzed.faces.largest {
                record.clean = face.embedding
                record.cleanHead = face.maskedFaceEmbedding
                record.cleanMaskProbability = face.mask.map { $0.isMasked ? $0.score : 1 - $0.score }
                var maskedPhoto = image
                renderer.render(on: &maskedPhoto, landmarks: face.landmarks, style: style)
                if let maskedFace = (try? analyzer.analyzeNow(maskedPhoto))?.faces.largest {
                    record.masked = maskedFace.embedding
                    record.maskedHead = maskedFace.maskedFaceEmbedding
                    record.maskedMaskProbability = maskedFace.mask.map { $0.isMasked ? $0.score : 1 - $0.score }
                    record.maskedFaceScore = maskedFace.score
                }
                let crops = templateStyles.compactMap { templateStyle -> Image? in
                    var copy = image
                    renderer.render(on: &copy, landmarks: face.landmarks, style: templateStyle)
                    return FaceAlignment.arcFaceCrop(of: copy, landmarks: face.landmarks)?.crop
                }
                record.templates = (try? analyzer.embeddings(ofAlignedCrops: crops)) ?? []
            }
            result.records[item.path] = record
            lines.append(line(item.path, record))
            if lines.count >= 50 { flush() }
        }
        flush()
        return result
    }

    private static func vector(_ v: [Float]?) -> String { v.map { $0.map { String($0) }.joined(separator: " ") } ?? "-" }
    private static func number(_ v: Float?) -> String { v.map { String($0) } ?? "-" }

    private static func line(_ path: String, _ r: MaskedImageRecord) -> String {
        [path, r.style.rawValue, number(r.cleanMaskProbability), number(r.maskedMaskProbability), vector(r.clean), vector(r.masked),
         r.templates.isEmpty ? "-" : r.templates.map { vector($0) }.joined(separator: ";"), number(r.maskedFaceScore),
         vector(r.cleanHead), vector(r.maskedHead)].joined(separator: "\t") + "\n"
    }

    /// Whether `path` is missing or holds a cache of this kind (of any models or seed): only
    /// such a file may be replaced. A mistyped --mask-cache must not delete someone's notes.
    public static func isCacheOrMissing(_ path: String) -> Bool { CacheFile.isMissingOrStarts(path, with: cacheMagic) }

    static let cacheMagic = "# visage-masked-embeddings "

    /// The cached records; nil when `path` holds something other than such a cache.
    private static func read(_ path: String, header: String) -> [String: MaskedImageRecord]? {
        guard isCacheOrMissing(path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var lines = text.split(whereSeparator: \.isNewline)
        guard lines.first.map(String.init) == header else {
            try? FileManager.default.removeItem(atPath: path)  // made for other models or another seed
            return [:]
        }
        lines.removeFirst()
        // An interrupted run leaves its last line without a newline: a vector cut short still
        // splits into ten fields. Drop it, and cut it from the file so the next line appended
        // starts a line of its own.
        if !text.hasSuffix("\n"), !lines.isEmpty, let handle = FileHandle(forUpdatingAtPath: path) {
            lines.removeLast()
            try? CacheFile.dropLineCutShort(handle)
            try? handle.close()
        }
        var records: [String: MaskedImageRecord] = [:]
        func vector(_ s: Substring) -> [Float]? { s == "-" ? nil : s.split(separator: " ").compactMap { Float($0) } }
        for line in lines {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 10, let style = MaskStyle(rawValue: String(f[1])) else { continue }  // a line cut short
            records[String(f[0])] = MaskedImageRecord(
                clean: vector(f[4]), cleanHead: vector(f[8]), cleanMaskProbability: Float(f[2]), style: style, masked: vector(f[5]),
                maskedHead: vector(f[9]), maskedMaskProbability: Float(f[3]), maskedFaceScore: Float(f[7]),
                templates: f[6] == "-" ? [] : f[6].split(separator: ";").compactMap { vector($0) })
        }
        return records
    }
}
