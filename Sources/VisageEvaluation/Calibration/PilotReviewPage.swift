import Foundation
import Visage
import VisageCore

/// The pilot's pairs to review as a page a person can look at: each pair's two faces side by
/// side (the face box grown by 30%, 128 px), with the similarity, the threshold and what the
/// list is for. Self-contained: `review.html` and `review/*.jpg` beside the report, nothing
/// loaded from the network, and no photo copied whole.
struct PilotReviewPage {
    var report: PilotReport
    /// Photo path (as the pilot read it) → the face the pilot used.
    var faces: [String: Face]
    var root: String
    var thumbnailSize = 128

    /// Writes `review.html` and its thumbnails into `folder`; returns the page's path.
    @discardableResult
    func write(to folder: String) throws(EvaluationError) -> String {
        let thumbs = folder + "/review"
        try ReportFiles.createDirectory(thumbs)
        var html = """
        <!doctype html><html><head><meta charset="utf-8"><title>visage pilot: pairs to review</title><style>
        body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:17px;margin-top:28px}
        .pair{display:flex;align-items:center;gap:14px;margin:8px 0;padding:8px;border-bottom:1px solid #ddd}
        figure{margin:0;text-align:center;font-size:11px;color:#555;width:\(thumbnailSize + 40)px;word-break:break-all}
        img{width:\(thumbnailSize)px;height:\(thumbnailSize)px;object-fit:contain;background:#eee}
        .score{font-size:13px;width:230px}.accepted{color:#b00;font-weight:600}.rejected{color:#555}
        </style></head><body><h1>Pilot on \(report.source.htmlEscaped): pairs to review</h1>
        <p>\(report.people) people, \(report.photos) photos. Look at these before choosing a threshold: a photo filed under the
        wrong person, or one person under two names, moves a threshold more than anything else in a small pilot.
        <code>report.md</code> beside this page has the measurements.</p>
        """
        for (title, pairs) in [("Impostor pairs scored highest: the same person under two names? A duplicate photo? Look-alikes?", report.highestImpostors),
                               ("Genuine pairs scored lowest: a photo filed under the wrong person? The wrong face picked? A bad photo?", report.lowestGenuine)] {
            html += "<h2>\(title.htmlEscaped)</h2>"
            for (index, pair) in pairs.enumerated() {
                let accepted = pair.similarity >= pair.threshold
                html += "<div class=\"pair\"><div class=\"score\">#\(index + 1) similarity <b>\(String(format: "%.4f", pair.similarity))</b><br>"
                html += "<span class=\"\(accepted ? "accepted" : "rejected")\">\(accepted ? "accepted" : "rejected") at \(String(format: "%.4f", pair.threshold))</span>"
                html += " (\(pair.condition.replacingOccurrences(of: "_", with: " ")))</div>"
                html += figure(pair.first, folder: thumbs) + figure(pair.second, folder: thumbs) + "</div>"
            }
        }
        if !report.photosWithoutFace.isEmpty {
            html += "<h2>Photos without a detected face (\(report.photosWithoutFace.count))</h2><p>"
                + report.photosWithoutFace.map { "<code>\($0.htmlEscaped)</code>" }.joined(separator: "<br>") + "</p>"
        }
        html += "</body></html>\n"
        let page = folder + "/review.html"
        try ReportFiles.write(Data(html.utf8), to: page)
        return page
    }

    /// A figure for a photo named relative to the pilot's folder; its thumbnail is written once.
    private func figure(_ relative: String, folder: String) -> String {
        let path = root + "/" + relative
        let name = String(format: "%016llx.jpg", path.stableHash)
        let file = folder + "/" + name
        if !FileManager.default.fileExists(atPath: file) {
            guard let thumb = try? Image(contentsOf: path).faceThumbnail(box: faces[path]?.box, side: thumbnailSize) else {
                return "<figure><img alt=\"unreadable\"><figcaption>\(relative.htmlEscaped)</figcaption></figure>"
            }
            try? thumb.write(to: file, jpegQuality: 85)
        }
        return "<figure><img src=\"review/\(name)\" alt=\"\(relative.htmlEscaped)\"><figcaption>\(relative.htmlEscaped)</figcaption></figure>"
    }
}
