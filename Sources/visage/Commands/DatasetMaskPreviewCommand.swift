import ArgumentParser
import Foundation
import Visage
import VisageCore

struct DatasetMaskPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask-preview",
        abstract: "Draw every mask style on one photo's largest face, side by side, into a PNG.",
        discussion: """
        Shows what `visage dataset mask` and mask-aware matching draw: the photo's largest face \
        with no mask, then once per style in its canonical look (variant 0, what mask-aware \
        matching uses), each cut around the face and labelled. With --variants N, N more rows \
        show each style in the seeded looks 1…N (colour, print, fit, ear loops) that \
        `visage dataset mask` picks from.

        Examples:
          visage dataset mask-preview ../shared/data/face-recognition-samples/test_images/obama.jpg docs/mask-styles.png
          visage dataset mask-preview portrait.jpg /tmp/styles.png --variants 3
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A photo with a face.", valueName: "photo"))
    var photo: String

    @Argument(help: ArgumentHelp("The PNG to write.", valueName: "out"))
    var output: String

    @Option(help: "Rows of seeded looks (variants 1…N) under the canonical row.")
    var variants = 0

    func validate() throws {
        guard (0...50).contains(variants) else { throw ValidationError("--variants must be between 0 and 50, got \(variants).") }
    }

    func run() async throws {
        let analyzer = try global.makeAnalyzer(tasks: [])
        let image: Image, faces: [Face]
        do {
            image = try Image(contentsOf: photo)
            faces = try await analyzer.analyze(image)
        } catch {
            printError("Error: " + FaceReport.message(for: error))
            throw VisageExitCode.badInput
        }
        guard let face = faces.largest else {
            printError("Error: no face found in \(photo).")
            throw VisageExitCode.badInput
        }
        // A square around the face, a little larger than the detector's box, shown at 240 px.
        let side = max(face.box.width, face.box.height) * 1.5
        let frame = Rect(x: face.box.center.x - side / 2, y: face.box.center.y - side / 2, width: side, height: side)
        let tile = 240, label = 24
        let rows: [[(String, Image)]] = (0...variants).map { variant in
            [(variant == 0 ? "no mask" : "variant \(variant)", image)] + MaskStyle.allCases.map { style in
                var copy = image
                MaskRenderer().render(on: &copy, landmarks: face.landmarks, style: style, variant: UInt64(variant))
                return (style.rawValue, copy)
            }
        }
        let columns = rows[0].count
        var strip = Image(width: tile * columns, height: (tile + label) * rows.count, color: .white)
        let scale = Float(tile) / side
        let toTile = AffineTransform(a: scale, b: 0, tx: -frame.x * scale, c: 0, d: scale, ty: -frame.y * scale)
        for (r, panels) in rows.enumerated() {
            for (i, (name, picture)) in panels.enumerated() {
                // The first column is the bare face, labelled with its row's variant.
                let warped = picture.warped(by: toTile, width: tile, height: tile)
                strip.place(warped, x: i * tile, y: r * (tile + label))
                strip.drawText(name, at: Point(x: Float(i * tile + 8), y: Float(r * (tile + label) + tile + 6)), color: .black, scale: 2)
            }
        }
        do { try strip.write(to: output) } catch {
            throw CommandFailure("cannot write \(output): \(error.errorDescription ?? "\(error)")")
        }
        print("wrote \(output): \(rows[0].map(\.0).joined(separator: ", "))" + (variants > 0 ? ", variants 1…\(variants)" : ""))
    }
}
