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
        with no mask, then once per style, each cut around the face and labelled.

        Examples:
          visage dataset mask-preview ../shared/data/face-recognition-samples/test_images/obama.jpg docs/mask-styles.png
          visage dataset mask-preview portrait.jpg /tmp/styles.png
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A photo with a face.", valueName: "photo"))
    var photo: String

    @Argument(help: ArgumentHelp("The PNG to write.", valueName: "out"))
    var output: String

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
        let panels: [(String, Image)] = [("no mask", image)] + MaskStyle.allCases.map { style in
            var copy = image
            MaskRenderer().render(on: &copy, landmarks: face.landmarks, style: style)
            return (style.rawValue, copy)
        }
        var strip = Image(width: tile * panels.count, height: tile + label, color: .white)
        for (i, (name, picture)) in panels.enumerated() {
            let scale = Float(tile) / side
            let toTile = AffineTransform(a: scale, b: 0, tx: -frame.x * scale, c: 0, d: scale, ty: -frame.y * scale)
            let warped = picture.warped(by: toTile, width: tile, height: tile)
            for y in 0..<tile { for x in 0..<tile { strip[i * tile + x, y] = warped[x, y] } }
            strip.drawText(name, at: Point(x: Float(i * tile + 8), y: Float(tile + 6)), color: .black, scale: 2)
        }
        do { try strip.write(to: output) } catch {
            throw CommandFailure("cannot write \(output): \(error.errorDescription ?? "\(error)")")
        }
        print("wrote \(output): \(panels.map(\.0).joined(separator: ", "))")
    }
}
