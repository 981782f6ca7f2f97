public import VisageCore
import Foundation

/// A small x–y chart (lines or points, linear or log-10 x axis) that renders to SVG text and
/// to a PNG-ready ``Image`` drawn with VisageCore's drawing API, so evaluations need no
/// plotting library.
///
/// ```swift
/// var chart = Chart(title: "ROC", xLabel: "FAR", yLabel: "TAR", xRange: 1e-4...1, yRange: 0...1, xScale: .log10)
/// chart.series.append(.init(name: "CFP-FF", points: [(1e-3, 0.97), (1, 1)], color: .blue))
/// try chart.write(to: "out/roc")   // roc.svg and roc.png
/// ```
///
/// Defaults: 800×600 pixels, no series. Points outside the ranges are clamped to the edge.
public struct Chart: Sendable {
    public enum Scale: Sendable { case linear, log10 }

    /// One line or cloud of points with its legend name.
    public struct Series: Sendable {
        public enum Style: Sendable { case line, dashedLine, points }
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: RGB
        public var style: Style

        public init(name: String, points: [(x: Double, y: Double)], color: RGB, style: Style = .line) {
            self.name = name
            self.points = points
            self.color = color
            self.style = style
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var xScale: Scale
    public var series: [Series] = []
    /// Vertical reference lines (x value, label), drawn dashed grey.
    public var markers: [(x: Double, label: String)] = []
    public var width = 800
    public var height = 600

    public init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, xScale: Scale = .linear) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange
        self.yRange = yRange
        self.xScale = xScale
    }

    /// Colours that stay apart on white, in series order.
    public static let palette: [RGB] = [
        RGB(r: 31, g: 119, b: 180), RGB(r: 214, g: 39, b: 40), RGB(r: 44, g: 160, b: 44),
        RGB(r: 255, g: 127, b: 14), RGB(r: 148, g: 103, b: 189), RGB(r: 140, g: 86, b: 75),
    ]

    /// Reference lines and secondary ink.
    public static let grey = RGB(r: 128, g: 128, b: 128)

    // MARK: Geometry

    private static let textScale = 2
    private var plotLeft: Double { 90 }
    private var plotTop: Double { 56 }
    private var plotRight: Double { Double(width) - 24 }
    private var plotBottom: Double { Double(height) - 64 }

    private func transformX(_ x: Double) -> Double {
        let (low, high, value) = xScale == .log10
            ? (log10(xRange.lowerBound), log10(xRange.upperBound), log10(max(x, xRange.lowerBound)))
            : (xRange.lowerBound, xRange.upperBound, x)
        let t = high > low ? (min(max(value, low), high) - low) / (high - low) : 0
        return plotLeft + t * (plotRight - plotLeft)
    }

    private func transformY(_ y: Double) -> Double {
        let (low, high) = (yRange.lowerBound, yRange.upperBound)
        let t = high > low ? (min(max(y, low), high) - low) / (high - low) : 0
        return plotBottom - t * (plotBottom - plotTop)
    }

    /// Pixel positions of a series, dropping points that land within half a pixel of the last
    /// one kept (a ROC of thousands of pairs draws the same picture from far fewer points).
    private func pixels(_ series: Series) -> [(x: Double, y: Double)] {
        var kept: [(x: Double, y: Double)] = []
        for (i, point) in series.points.enumerated() {
            let p = (x: transformX(point.x), y: transformY(point.y))
            guard p.x.isFinite, p.y.isFinite else { continue }
            if let last = kept.last, i != series.points.count - 1, abs(last.x - p.x) < 0.5, abs(last.y - p.y) < 0.5 { continue }
            kept.append(p)
        }
        return kept
    }

    /// Tick positions and labels on the x axis.
    private var xTicks: [(Double, String)] {
        switch xScale {
        case .log10:
            let low = Int(log10(xRange.lowerBound).rounded(.up)), high = Int(log10(xRange.upperBound).rounded(.down))
            guard low <= high else { return [] }
            return (low...high).map { e in (pow(10, Double(e)), e == 0 ? "1" : "1e\(e)") }
        case .linear:
            return Self.linearTicks(xRange)
        }
    }

    private var yTicks: [(Double, String)] { Self.linearTicks(yRange) }

    static func linearTicks(_ range: ClosedRange<Double>) -> [(Double, String)] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [] }
        let raw = span / 6, magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        let decimals = max(0, Int((-log10(step)).rounded(.up)) + (step / magnitude == 2.5 ? 1 : 0))
        var ticks: [(Double, String)] = []
        var value = (range.lowerBound / step).rounded(.up) * step
        while value <= range.upperBound + step * 1e-9 {
            ticks.append((value, String(format: "%.\(decimals)f", value)))
            value += step
        }
        return ticks
    }

    // MARK: SVG

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func hex(_ c: RGB) -> String { String(format: "#%02x%02x%02x", c.r, c.g, c.b) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(Double(width) / 2))" y="30" text-anchor="middle" font-size="18">\(title.htmlEscaped)</text>

        """
        out += "<defs><clipPath id=\"plot\"><rect x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" height=\"\(f(plotBottom - plotTop))\"/></clipPath></defs>\n"
        for (x, label) in xTicks {
            let px = transformX(x)
            out += "<line x1=\"\(f(px))\" y1=\"\(f(plotTop))\" x2=\"\(f(px))\" y2=\"\(f(plotBottom))\" stroke=\"#e0e0e0\"/>\n"
            out += "<text x=\"\(f(px))\" y=\"\(f(plotBottom + 20))\" text-anchor=\"middle\" font-size=\"13\">\(label.htmlEscaped)</text>\n"
        }
        for (y, label) in yTicks {
            let py = transformY(y)
            out += "<line x1=\"\(f(plotLeft))\" y1=\"\(f(py))\" x2=\"\(f(plotRight))\" y2=\"\(f(py))\" stroke=\"#e0e0e0\"/>\n"
            out += "<text x=\"\(f(plotLeft - 8))\" y=\"\(f(py + 4))\" text-anchor=\"end\" font-size=\"13\">\(label.htmlEscaped)</text>\n"
        }
        for marker in markers {
            let px = transformX(marker.x)
            out += "<line x1=\"\(f(px))\" y1=\"\(f(plotTop))\" x2=\"\(f(px))\" y2=\"\(f(plotBottom))\" stroke=\"#909090\" stroke-dasharray=\"6 4\"/>\n"
            out += "<text x=\"\(f(px + 4))\" y=\"\(f(plotTop + 14))\" font-size=\"12\" fill=\"#606060\">\(marker.label.htmlEscaped)</text>\n"
        }
        out += "<rect x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" height=\"\(f(plotBottom - plotTop))\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(f((plotLeft + plotRight) / 2))\" y=\"\(f(Double(height) - 18))\" text-anchor=\"middle\" font-size=\"15\">\(xLabel.htmlEscaped)</text>\n"
        out += "<text transform=\"translate(22 \(f((plotTop + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">\(yLabel.htmlEscaped)</text>\n"
        out += "<g clip-path=\"url(#plot)\">\n"
        for series in series {
            let points = pixels(series)
            switch series.style {
            case .points:
                for p in points { out += "<circle cx=\"\(f(p.x))\" cy=\"\(f(p.y))\" r=\"2\" fill=\"\(hex(series.color))\" fill-opacity=\"0.5\"/>\n" }
            case .line, .dashedLine:
                let dash = series.style == .dashedLine ? " stroke-dasharray=\"8 5\"" : ""
                out += "<polyline fill=\"none\" stroke=\"\(hex(series.color))\" stroke-width=\"2\"\(dash) points=\""
                out += points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
                out += "\"/>\n"
            }
        }
        out += "</g>\n"
        for (i, series) in series.enumerated() {
            let y = legendTop + Double(i) * 22
            out += "<rect x=\"\(f(legendLeft))\" y=\"\(f(y - 10))\" width=\"16\" height=\"4\" fill=\"\(hex(series.color))\"/>\n"
            out += "<text x=\"\(f(legendLeft + 24))\" y=\"\(f(y - 2))\" font-size=\"14\">\(series.name.htmlEscaped)</text>\n"
        }
        out += "</svg>\n"
        return out
    }

    private var legendWidth: Double {
        Double((series.map(\.name.count).max() ?? 0) * 6 * Self.textScale + 40)
    }
    private var legendLeft: Double { plotRight - legendWidth }
    private var legendTop: Double { plotBottom - Double(series.count) * 22 - 4 }

    // MARK: Raster

    /// The chart drawn into an RGB image (white background, bitmap font).
    public func image() -> Image {
        var image = Image(width: width, height: height, color: .white)
        let grid = RGB(r: 224, g: 224, b: 224), ink = RGB.black, grey = RGB(r: 128, g: 128, b: 128)
        let plot = Rect(x: Float(plotLeft), y: Float(plotTop), width: Float(plotRight - plotLeft), height: Float(plotBottom - plotTop))
        func point(_ x: Double, _ y: Double) -> Point { Point(x: Float(x), y: Float(y)) }
        func text(_ s: String, centeredAt x: Double, top: Double, scale: Int = Self.textScale) {
            let size = Image.textSize(s, scale: scale)
            image.drawText(s, at: point(x - Double(size.width) / 2, top), color: ink, scale: scale)
        }

        text(title, centeredAt: Double(width) / 2, top: 8)
        for (x, label) in xTicks {
            let px = transformX(x)
            image.drawLine(from: point(px, plotTop), to: point(px, plotBottom), color: grid, thickness: 1)
            text(label, centeredAt: px, top: plotBottom + 8)
        }
        for (y, label) in yTicks {
            let py = transformY(y)
            image.drawLine(from: point(plotLeft, py), to: point(plotRight, py), color: grid, thickness: 1)
            let size = Image.textSize(label, scale: Self.textScale)
            image.drawText(label, at: point(plotLeft - 6 - Double(size.width), py - Double(size.height) / 2), color: ink, scale: Self.textScale)
        }
        for marker in markers {
            let px = transformX(marker.x)
            image.drawLine(from: point(px, plotTop), to: point(px, plotBottom), color: grey, thickness: 1, dash: (6, 4))
            image.drawText(marker.label, at: point(px + 3, plotTop + 3), color: grey, scale: 1)
        }
        image.drawRectangle(plot, color: ink, thickness: 1)
        text(xLabel, centeredAt: (plotLeft + plotRight) / 2, top: Double(height) - 30)
        // The bitmap font cannot turn; the y label sits above the axis instead.
        image.drawText(yLabel, at: point(8, plotTop - 32), color: ink, scale: Self.textScale)

        for series in series {
            let points = pixels(series)
            switch series.style {
            case .points:
                for p in points { image.drawDot(at: point(p.x, p.y), radius: 1, color: series.color) }
            case .line, .dashedLine:
                let dash: (on: Int, off: Int)? = series.style == .dashedLine ? (8, 5) : nil
                if points.count == 1 { image.drawDot(at: point(points[0].x, points[0].y), radius: 1, color: series.color) }
                for i in points.indices.dropFirst() {
                    image.drawLine(from: point(points[i - 1].x, points[i - 1].y), to: point(points[i].x, points[i].y),
                                   color: series.color, thickness: 2, clip: plot, dash: dash)
                }
            }
        }
        if !series.isEmpty {
            let box = Rect(x: Float(legendLeft - 6), y: Float(legendTop - 16), width: Float(legendWidth), height: Float(series.count * 22 + 4))
            image.fillRectangle(box, color: .white)
            image.drawRectangle(box, color: grid, thickness: 1)
            for (i, series) in series.enumerated() {
                let y = legendTop + Double(i) * 22
                image.fillRectangle(Rect(x: Float(legendLeft), y: Float(y - 10), width: 16, height: 4), color: series.color)
                image.drawText(series.name, at: point(legendLeft + 22, y - 15), color: ink, scale: Self.textScale)
            }
        }
        return image
    }

    /// Writes `<base>.svg` and `<base>.png`; returns their file names.
    @discardableResult
    public func write(to base: String) throws(EvaluationError) -> [String] {
        let svgPath = base + ".svg", pngPath = base + ".png"
        do {
            try svg().write(toFile: svgPath, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritable(path: svgPath, reason: error.localizedDescription)
        }
        do {
            try image().write(to: pngPath)
        } catch {
            throw .unwritable(path: pngPath, reason: error.localizedDescription)
        }
        return [svgPath, pngPath].map { URL(fileURLWithPath: $0).lastPathComponent }
    }
}
