import Foundation
import VisageCore

/// Comparisons for decoded pixels, where lossy codecs make exact equality the wrong test.
enum PixelMetrics {
    static func meanColor(_ image: Image) -> [Double] {
        var sums = [0.0, 0.0, 0.0]
        for (index, value) in image.pixels.enumerated() { sums[index % 3] += Double(value) }
        return sums.map { $0 / Double(image.width * image.height) }
    }

    /// Peak signal-to-noise ratio in dB; infinity for identical images.
    static func psnr(_ a: Image, _ b: Image) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var squared = 0.0
        for index in a.pixels.indices {
            let difference = Double(a.pixels[index]) - Double(b.pixels[index])
            squared += difference * difference
        }
        let mse = squared / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    static func maxDifference(_ color: RGB, _ expected: RGB) -> Int {
        let red = abs(Int(color.r) - Int(expected.r))
        let green = abs(Int(color.g) - Int(expected.g))
        let blue = abs(Int(color.b) - Int(expected.b))
        return max(red, green, blue)
    }

    static func isGrey(_ image: Image) -> Bool {
        let pixels = image.pixels
        return stride(from: 0, to: pixels.count, by: 3).allSatisfy { (index: Int) -> Bool in
            pixels[index] == pixels[index + 1] && pixels[index] == pixels[index + 2]
        }
    }
}
