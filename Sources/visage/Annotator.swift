import Foundation
import Visage
import VisageModels
import VisageCore

/// Draws boxes, landmarks and labels over an image for `--annotate`.
enum Annotator {
    static func draw(_ faces: [Face], on image: Image, attributes: Bool) -> Image {
        var canvas = image
        // Line and text size follow the image so labels stay legible on large photos.
        let thickness = max(2, min(image.width, image.height) / 300)
        let textScale = max(1, min(image.width, image.height) / 400)
        let landmarkColors: [RGB] = [.red, .green, .blue, .yellow, .magenta]
        for (i, face) in faces.enumerated() {
            canvas.drawRectangle(face.box, color: .green, thickness: thickness)
            for (k, point) in face.landmarks.enumerated() {
                canvas.drawDot(at: point, radius: thickness + 1, color: landmarkColors[k % landmarkColors.count])
            }
            var label = "#\(i + 1)"
            if attributes {
                if let gender = face.gender { label += " \(gender.label.rawValue) " + String(format: "%.2f", gender.score) }
                if let age = face.age { label += String(format: " %.0fy", age) }
            }
            // Above the box when there is room, else below; shifted left to stay in the picture.
            let size = Image.textSize(label, scale: textScale)
            let above = face.box.y - Float(size.height + 2)
            let x = max(0, min(face.box.x, Float(image.width - size.width)))
            canvas.drawText(label, at: Point(x: x, y: above >= 0 ? above : face.box.maxY + 2),
                            color: .black, background: .green, scale: textScale)
        }
        return canvas
    }

    /// `DIR/<name>.annotated.jpg`, prefixed with the input's index so that two inputs with the
    /// same file name in different folders do not overwrite each other.
    static func destination(for path: String, index: Int, in directory: String) -> String {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return URL(fileURLWithPath: directory).appendingPathComponent(String(format: "%04d-", index) + stem + ".jpg").path
    }
}
