import Crypto
import Foundation

/// The web page served at `/`: `Resources/index.html` with `visage.css` and `visage.js` written
/// inline in place of the tags that name them, so the page is one response that needs no other
/// request and no CDN (it works offline), and a Content-Security-Policy can allow exactly its own
/// script and style by hash. It calls the same API as any client, with the key typed into it
/// (kept in localStorage). The three files open as they are in a browser, for editing.
enum WebPage {
    static let html: String = {
        func resource(_ name: String) -> String {
            guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources"),
                  let data = try? Data(contentsOf: url) else {
                // The files are part of the build: a missing one is a packaging error, caught by WebPageTests.
                fatalError("VisageServer's resource Resources/\(name) is missing")
            }
            return String(decoding: data, as: UTF8.self)
        }
        return resource("index.html")
            .replacingOccurrences(of: #"<link rel="stylesheet" href="visage.css">"#, with: "<style>\n\(resource("visage.css"))</style>")
            .replacingOccurrences(of: #"<script src="visage.js"></script>"#, with: "<script>\n\(resource("visage.js"))</script>")
    }()

    /// The page's policy: its one inline script and one style block by hash, style attributes
    /// (which the page's script writes), images from the API's data URLs and the picked file,
    /// requests to this server only, and no framing.
    static let contentSecurityPolicy: String = {
        func hashes(of tag: String) -> String {
            var sources: [String] = []
            var rest = html[...]
            while let open = rest.range(of: "<\(tag)>"), let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex) {
                let digest = SHA256.hash(data: Data(rest[open.upperBound..<close.lowerBound].utf8))
                sources.append("'sha256-\(Data(digest).base64EncodedString())'")
                rest = rest[close.upperBound...]
            }
            return sources.joined(separator: " ")
        }
        return "default-src 'none'; script-src \(hashes(of: "script")); style-src-elem \(hashes(of: "style")); style-src-attr 'unsafe-inline'; "
            + "img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    }()
}
