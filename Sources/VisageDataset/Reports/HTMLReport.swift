import Foundation
import VisageCore

/// A static, self-contained HTML page of a cleaning run: statistics, each suspect beside
/// thumbnails of its identity's most typical images, and each duplicate pair side by side.
/// Thumbnails are small JPEGs (face crops) written beside the page by VisageCore's encoder; the
/// page loads nothing from the network.
///
/// ```swift
/// try HTMLReport(root: "faces", result: result, records: records).write(to: "out/clean/html")
/// ```
public struct HTMLReport: Sendable {
    public var root: String
    public var result: CleaningResult
    public var records: [String: EmbeddingRecord]
    /// Extra rows for the statistics table (name, value), in order.
    public var stats: [(String, String)] = []
    /// Thumbnail side in pixels; default 96.
    public var thumbnailSize = 96
    /// Suspects shown per reason; the rest are only counted (the JSON report has them all). Default 400.
    public var maxPerReason = 400

    public init(root: String, result: CleaningResult, records: [String: EmbeddingRecord]) {
        self.root = root
        self.result = result
        self.records = records
    }

    /// Writes `index.html` and `thumbs/*.jpg` into `folder`; returns the page's path.
    @discardableResult
    public func write(to folder: String) throws(DatasetError) -> String {
        let thumbs = folder + "/thumbs"
        do { try FileManager.default.createDirectory(atPath: thumbs, withIntermediateDirectories: true) } catch {
            throw .unwritable(path: thumbs, reason: error.localizedDescription)
        }
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>visage dataset clean</title><style>
        body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;margin-top:28px}
        table.stats td{padding:2px 12px 2px 0}.row{display:flex;align-items:flex-start;gap:14px;margin:8px 0;padding:8px;border-bottom:1px solid #ddd}
        .card{font-size:12px;width:260px;word-break:break-all}.thumbs{display:flex;gap:4px;flex-wrap:wrap}
        .thumbs figure{margin:0;text-align:center;font-size:10px;color:#666}.suspect img{outline:3px solid #d33}
        img{width:\(thumbnailSize)px;height:\(thumbnailSize)px;object-fit:cover;background:#eee}.ref{opacity:.9}
        .tag{display:inline-block;padding:1px 6px;border-radius:3px;background:#eee;margin-right:4px}
        </style></head><body><h1>Dataset cleaning report</h1><p>Dataset: <code>\(root.htmlEscaped)</code></p>
        <table class="stats">
        """
        for (k, v) in stats { html += "<tr><td>\(k.htmlEscaped)</td><td>\(v.htmlEscaped)</td></tr>" }
        html += "</table>"

        html += "<h2>Likely duplicate identities (\(result.duplicates.count))</h2>"
        for pair in result.duplicates.prefix(maxPerReason) {
            html += "<div class=\"row\"><div class=\"card\"><span class=\"tag\">similarity \(String(format: "%.3f", pair.similarity))</span><br>"
            html += "<b>\(pair.a.htmlEscaped)</b> ⇄ <b>\(pair.b.htmlEscaped)</b></div><div class=\"thumbs\">"
            for path in typical(pair.a, 4) { html += figure(path, caption: pair.a, folder: thumbs) }
            html += "</div><div class=\"thumbs\">"
            for path in typical(pair.b, 4) { html += figure(path, caption: pair.b, folder: thumbs) }
            html += "</div></div>"
        }
        for reason in [Suspect.Reason.outlier, .severalFaces, .noFace, .unreadable] {
            let list = result.suspects.filter { $0.reason == reason }
            html += "<h2>\(title(reason)) (\(list.count))</h2>"
            if list.count > maxPerReason { html += "<p>Showing the first \(maxPerReason); the JSON report lists all.</p>" }
            for s in list.prefix(maxPerReason) {
                html += "<div class=\"row\"><div class=\"card\"><span class=\"tag\">\(s.reason.rawValue)</span>"
                if s.iteration > 0 { html += "<span class=\"tag\">round \(s.iteration)</span>" }
                if let score = s.score { html += "<span class=\"tag\">score \(String(format: "%.3f", score))</span>" }
                html += "<br>\(s.path.htmlEscaped)"
                if let d = s.detail { html += "<br><small>\(d.htmlEscaped)</small>" }
                html += "</div><div class=\"thumbs suspect\">\(reason == .unreadable ? "" : figure(s.path, caption: "suspect", folder: thumbs))</div>"
                html += "<div class=\"thumbs ref\">"
                for path in typical(s.identity, 5) { html += figure(path, caption: s.identity, folder: thumbs) }
                html += "</div></div>"
            }
        }
        html += "</body></html>\n"
        let page = folder + "/index.html"
        do { try html.write(toFile: page, atomically: true, encoding: .utf8) } catch {
            throw .unwritable(path: page, reason: error.localizedDescription)
        }
        return page
    }

    private func title(_ reason: Suspect.Reason) -> String {
        switch reason {
        case .outlier: "Images far from their identity (likely another person)"
        case .severalFaces: "Images with several faces of similar size"
        case .noFace: "Images without a detected face"
        case .unreadable: "Images that could not be read"
        }
    }

    /// The identity's remaining images closest to its centre.
    private func typical(_ identity: String, _ count: Int) -> [String] {
        guard let centre = result.centres.first(where: { $0.0 == identity })?.1 else { return [] }
        let paths = result.inlierPaths[identity] ?? []
        return paths.compactMap { p in records[p]?.embedding.map { (p, Vector.dot($0, centre)) } }
            .sorted { $0.1 > $1.1 }.prefix(count).map(\.0)
    }

    private func figure(_ path: String, caption: String, folder: String) -> String {
        let name = String(format: "%016llx.jpg", Shard.stableHash(path))
        let file = folder + "/" + name
        if !FileManager.default.fileExists(atPath: file) {
            guard let thumb = try? thumbnail(path) else { return "<figure><img alt=\"unreadable\"><figcaption>\(caption.htmlEscaped)</figcaption></figure>" }
            try? thumb.write(to: file, jpegQuality: 80)
        }
        return "<figure><img src=\"thumbs/\(name)\" title=\"\(path.htmlEscaped)\" loading=\"lazy\"><figcaption>\(caption.htmlEscaped)</figcaption></figure>"
    }

    /// The face box grown by 30% to a square, or the whole image without one, at thumbnail size.
    func thumbnail(_ path: String) throws -> Image {
        try Image(contentsOf: root + "/" + path).faceThumbnail(box: records[path]?.box, side: thumbnailSize)
    }
}
