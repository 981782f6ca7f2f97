public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import VisageCore

/// One Pascal VOC annotation file: the image's declared name and size, and its labelled boxes.
///
/// Box corners are taken as continuous coordinates: `xmin…xmax` becomes a rectangle
/// `xmax − xmin` wide (the devkit's +1 pixel convention is not applied).
///
/// ```swift
/// let annotation = try VOCAnnotation(contentsOf: "annotations/1-photo.xml")
/// for object in annotation.objects { print(object.label, object.box) }
/// ```
public struct VOCAnnotation: Sendable, Hashable {
    /// The `filename` element, which may not match the image file actually present.
    public var fileName: String?
    public var width: Int?
    public var height: Int?
    public var objects: [GroundTruthBox]

    /// Parses the file at `path`.
    ///
    /// - Throws: ``EvaluationError/missing(path:hint:)`` when it does not exist,
    ///   ``EvaluationError/malformed(path:line:reason:)`` when it is not well-formed XML, or an
    ///   object lacks a name or a complete, numeric, non-empty `bndbox`.
    public init(contentsOf path: String) throws(EvaluationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .missing(path: path, hint: "Each image needs an annotation file of the same stem under annotations/.")
        }
        try self.init(data: data, path: path)
    }

    /// Parses VOC XML; `path` only names the source in errors.
    public init(data: Data, path: String) throws(EvaluationError) {
        let delegate = VOCParserDelegate()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else {
            let reason = delegate.failure ?? parser.parserError.map { "not well-formed XML (\(($0 as NSError).localizedDescription))" } ?? "not well-formed XML"
            throw .malformed(path: path, line: delegate.failureLine ?? parser.lineNumber, reason: reason)
        }
        if let failure = delegate.failure { throw .malformed(path: path, line: delegate.failureLine, reason: failure) }
        // FoundationXML on Linux accepts a document that stops part-way; an element still open is the tell.
        if let open = delegate.openElements.last {
            throw .malformed(path: path, line: parser.lineNumber, reason: "the file ends inside <\(open)> (truncated?)")
        }
        guard delegate.sawAnnotation else {
            throw .malformed(path: path, line: nil, reason: "no <annotation> root element; is this a Pascal VOC file?")
        }
        fileName = delegate.fileName
        width = delegate.width
        height = delegate.height
        objects = delegate.objects
    }
}

/// SAX-style collection of the few elements VOC files use; the first problem found is kept
/// with its line so the error can point at it.
private final class VOCParserDelegate: NSObject, XMLParserDelegate {
    var fileName: String?
    var width: Int?
    var height: Int?
    var objects: [GroundTruthBox] = []
    var sawAnnotation = false
    var failure: String?
    var failureLine: Int?

    private var path: [String] = []
    var openElements: [String] { path }
    private var text = ""
    private var object: [String: String]?
    private var objectLine = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if path.isEmpty, name == "annotation" { sawAnnotation = true }
        path.append(name)
        text = ""
        if name == "object", path.count == 2 {
            object = [:]
            objectLine = parser.lineNumber
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = path.dropLast().last
        switch (parent, name) {
        case ("annotation", "filename"): fileName = value
        case ("size", "width"): width = Int(value)
        case ("size", "height"): height = Int(value)
        case ("object", "name"), ("object", "difficult"), ("bndbox", "xmin"), ("bndbox", "ymin"), ("bndbox", "xmax"), ("bndbox", "ymax"):
            object?[name] = value
        case (_, "object") where path.count == 2:
            finishObject(parser)
        default: break
        }
        path.removeLast()
        text = ""
    }

    private func finishObject(_ parser: XMLParser) {
        guard let fields = object else { return }
        object = nil
        func fail(_ reason: String) {
            guard failure == nil else { return }
            failure = "object \(objects.count + 1) (line \(objectLine)): \(reason)"
            failureLine = objectLine
            parser.abortParsing()
        }
        guard let label = fields["name"], !label.isEmpty else { return fail("has no <name>") }
        var corners: [Float] = []
        for key in ["xmin", "ymin", "xmax", "ymax"] {
            guard let text = fields[key] else { return fail("<bndbox> lacks <\(key)>") }
            guard let value = Float(text), value.isFinite else { return fail("<\(key)> is \"\(text)\", not a number") }
            corners.append(value)
        }
        guard corners[2] > corners[0], corners[3] > corners[1] else {
            return fail("the box \(corners.map { String(Int($0)) }.joined(separator: ",")) is empty (xmax ≤ xmin or ymax ≤ ymin)")
        }
        let difficult = fields["difficult"].map { $0 == "1" || $0.lowercased() == "true" } ?? false
        objects.append(GroundTruthBox(
            box: Rect(x: corners[0], y: corners[1], width: corners[2] - corners[0], height: corners[3] - corners[1]),
            label: label, difficult: difficult))
    }
}
