import Foundation
import Testing
import VisageTestSupport
import VisageCore
@testable import VisageEvaluation

struct VOCAnnotationTests {
    /// The shape of ../shared/data/mask-boxes/annotations/*.xml, with a difficult second face.
    static let wellFormed = """
    <annotation>
    \t<filename>1-photo.png</filename>
    \t<size><width>240</width><height>240</height><depth>3</depth></size>
    \t<object>
    \t\t<name>without_mask</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
    \t\t<bndbox><xmin>125</xmin><ymin>34</ymin><xmax>239</xmax><ymax>191</ymax></bndbox>
    \t</object>
    \t<object>
    \t\t<name>with_mask</name><difficult>1</difficult>
    \t\t<bndbox><xmin>10.5</xmin><ymin>20</ymin><xmax>40.5</xmax><ymax>60</ymax></bndbox>
    \t</object>
    </annotation>
    """

    @Test func parsesNameSizeAndBoxes() throws {
        let annotation = try VOCAnnotation(data: Data(Self.wellFormed.utf8), path: "a.xml")
        #expect(annotation.fileName == "1-photo.png" && annotation.width == 240 && annotation.height == 240)
        #expect(annotation.objects == [
            GroundTruthBox(box: Rect(x: 125, y: 34, width: 114, height: 157), label: "without_mask"),
            GroundTruthBox(box: Rect(x: 10.5, y: 20, width: 30, height: 40), label: "with_mask", difficult: true),
        ])
    }

    @Test func truncatedXMLIsMalformedAndNamesTheFile() {
        let truncated = String(Self.wellFormed.prefix(200))
        #expect {
            try VOCAnnotation(data: Data(truncated.utf8), path: "annotations/cut.xml")
        } throws: { error in
            guard case let .malformed(path, _, reason) = error as? EvaluationError else { return false }
            return path == "annotations/cut.xml" && (reason.contains("XML") || reason.contains("truncated"))
        }
    }

    @Test func aBoxWithoutACornerIsMalformed() {
        let xml = Self.wellFormed.replacingOccurrences(of: "<xmax>239</xmax>", with: "")
        let error = #expect(throws: EvaluationError.self) { try VOCAnnotation(data: Data(xml.utf8), path: "b.xml") }
        #expect(error?.errorDescription?.contains("b.xml") == true)
        #expect(error?.errorDescription?.contains("object 1") == true)
        #expect(error?.errorDescription?.contains("xmax") == true)
    }

    @Test func aNonNumericOrEmptyBoxIsMalformed() {
        for (from, to) in [("<ymin>34</ymin>", "<ymin>top</ymin>"), ("<xmax>239</xmax>", "<xmax>100</xmax>")] {
            let xml = Self.wellFormed.replacingOccurrences(of: from, with: to)
            #expect(throws: EvaluationError.self) { try VOCAnnotation(data: Data(xml.utf8), path: "c.xml") }
        }
    }

    @Test func notVOCAtAllIsMalformed() {
        #expect(throws: EvaluationError.self) { try VOCAnnotation(data: Data("<html></html>".utf8), path: "d.xml") }
        #expect(throws: EvaluationError.self) { try VOCAnnotation(data: Data("not xml".utf8), path: "e.xml") }
    }

    @Test func aMissingFileSaysWhere() {
        #expect(throws: EvaluationError.self) { try VOCAnnotation(contentsOf: "/nonexistent/x.xml") }
    }

    @Test func datasetPairsByStemAndStopsAtAMalformedFile() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Fixtures.write("jpeg bytes", to: root + "/images/a.jpg")
        try Fixtures.write("jpeg bytes", to: root + "/images/orphan.jpg")
        try Fixtures.write(Self.wellFormed, to: root + "/annotations/a.xml")
        try Fixtures.write(Self.wellFormed, to: root + "/annotations/unused.xml")
        let dataset = try VOCDataset(root: root)
        #expect(dataset.items.map(\.image) == [root + "/images/a.jpg"])
        #expect(dataset.imagesWithoutAnnotation == [root + "/images/orphan.jpg"])
        #expect(dataset.annotationsWithoutImage == [root + "/annotations/unused.xml"])

        try Fixtures.write("<annotation><object><name>x", to: root + "/annotations/orphan.xml")
        let error = #expect(throws: EvaluationError.self) { try VOCDataset(root: root) }
        #expect(error?.errorDescription?.contains("orphan.xml") == true)
    }

    @Test func aMissingFolderIsReported() {
        let error = #expect(throws: EvaluationError.self) { try VOCDataset(root: "/nonexistent/mask-boxes") }
        #expect(error?.errorDescription?.contains("/nonexistent/mask-boxes") == true)
    }

    @Test(.enabled(if: Fixtures.data("mask-boxes") != nil, "needs ../shared/data/mask-boxes (or $VISAGE_DATA)"))
    func realMaskBoxesParse() throws {
        let dataset = try VOCDataset(root: try #require(Fixtures.data("mask-boxes")))
        #expect(dataset.items.count == 149 && dataset.imagesWithoutAnnotation.isEmpty)
        let labels = Set(dataset.items.flatMap { $0.annotation.objects.map(\.label) })
        #expect(labels == ["with_mask", "without_mask"])
    }
}
