import Foundation
import Testing
import VisageTestSupport
import VisageCore
@testable import VisageEvaluation

struct ChartTests {
    func chart() -> Chart {
        var chart = Chart(title: "ROC", xLabel: "FAR", yLabel: "TAR", xRange: 1e-3...1, yRange: 0...1, xScale: .log10)
        chart.series.append(.init(name: "a", points: [(1e-3, 0), (1e-2, 0.5), (1, 1)], color: .red))
        chart.markers = [(1e-2, "FAR 1e-2")]
        return chart
    }

    @Test func svgHasTheSeriesAndDecadeTicks() {
        let svg = chart().svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("<polyline") && svg.contains("stroke=\"#ff0000\""))
        for tick in [">1e-3<", ">1e-2<", ">1e-1<", ">1<"] { #expect(svg.contains(tick)) }
    }

    @Test func rasterDrawsTheLineInsideThePlot() {
        let image = chart().image()
        #expect(image.width == 800 && image.height == 600)
        // The series ends at (1, 1): the plot's top-right corner (right 776, top 56).
        #expect(image[774, 57] == .red)
        // Half way along the log axis (FAR 10^-1.5) is a quarter of the way from (1e-2, 0.5) to
        // (1, 1): TAR 0.625, 300 of the 480 rows up from the bottom (536).
        let x = 90 + (776 - 90) / 2
        let reds = (56..<536).filter { image[x, $0] == .red }
        #expect(!reds.isEmpty && reds.allSatisfy { abs($0 - 236) <= 2 })
    }

    @Test func linearTicksAreRound() {
        #expect(Chart.linearTicks(0...1).map(\.1) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(Chart.linearTicks(0...100).map(\.1) == ["0", "20", "40", "60", "80", "100"])
    }

    @Test func writesSVGAndPNG() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try chart().write(to: folder + "/roc") == ["roc.svg", "roc.png"])
        let png = try Image(contentsOf: folder + "/roc.png")
        #expect(png.width == 800)
        #expect(throws: EvaluationError.self) { try chart().write(to: "/nonexistent/folder/roc") }
    }

    @Test func linesClipAndReachBothEnds() {
        var image = Image(width: 20, height: 10, color: .white)
        image.drawLine(from: Point(x: 2, y: 2), to: Point(x: 17, y: 7), color: .black, thickness: 1)
        #expect(image[2, 2] == .black && image[17, 7] == .black)
        image.drawLine(from: Point(x: -50, y: 5), to: Point(x: 50, y: 5), color: .blue, thickness: 1, clip: Rect(x: 5, y: 0, width: 5, height: 10))
        #expect(image[4, 5] != .blue && image[5, 5] == .blue && image[9, 5] == .blue && image[10, 5] != .blue)
        image.drawLine(from: Point(x: .nan, y: 0), to: Point(x: 3, y: 3), color: .red)  // draws nothing, no trap
    }
}

struct AccuracySectionTests {
    @Test func replacesThePlaceholderThenTheMarkedBlock() throws {
        let readme = "# X\n\n## Accuracy\n\nACCURACY_PLACEHOLDER\n\n## Speed\n"
        let first = try AccuracySection.replace(in: readme, with: "one")
        #expect(first == "# X\n\n## Accuracy\n\n\(AccuracySection.begin)\none\n\(AccuracySection.end)\n\n## Speed\n")
        let second = try AccuracySection.replace(in: first, with: "two\n")
        #expect(second == "# X\n\n## Accuracy\n\n\(AccuracySection.begin)\ntwo\n\(AccuracySection.end)\n\n## Speed\n")
    }

    @Test func refusesAReadmeWithNowhereToWrite() {
        #expect(throws: EvaluationError.self) { try AccuracySection.replace(in: "# X\n", with: "one") }
        #expect(throws: EvaluationError.self) { try AccuracySection.replace(in: AccuracySection.begin + "\n", with: "one") }
    }

    @Test func reportsRoundTripThroughJSONIntoTheSection() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pairs = VerificationPairs(name: "toy", source: "toy.csv", foldsDescription: "2 folds", pairs: [
            LabeledPair(first: "a", second: "b", same: true, fold: 0), LabeledPair(first: "a", second: "c", same: false, fold: 0),
            LabeledPair(first: "b", second: "c", same: false, fold: 1), LabeledPair(first: "c", second: "d", same: true, fold: 1),
        ])
        var embeddings = ImageEmbeddings()
        embeddings.embeddings = ["a": [1, 0], "b": [0.8, 0.6], "c": [0, 1]]
        embeddings.withoutFace = ["d"]
        let evaluation = VerificationEvaluation(pairs: pairs)
        let scored = evaluation.score(embeddings)
        #expect(scored.map(\.score) == [0.8, 0, 0.6, -1])
        let report = evaluation.summarize(scored, embeddings: embeddings, images: 4)
        #expect(report.failedPairs == 1 && report.imagesWithoutFace == ["d"])
        try report.write(to: folder + "/toy")
        // A report of a kind the section does not print (`eval probe`'s) is passed over.
        try FileManager.default.createDirectory(atPath: folder + "/probe", withIntermediateDirectories: true)
        try Data(#"{"kind": "probe", "features": []}"#.utf8).write(to: URL(fileURLWithPath: folder + "/probe/report.json"))
        let loaded = try AccuracySection.loadReports(in: folder)
        #expect(loaded.count == 1)
        let section = AccuracySection(reports: loaded, plotFolder: "docs/eval").markdown()
        #expect(section.contains("| toy | 4 |"))
        #expect(report.markdown().contains("| failed pairs (scored −1) | 1 |"))
    }
}
