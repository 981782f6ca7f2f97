import Foundation
public import VisageCore
import VisageModels

extension Image {
    /// The picture with each face's box, its five landmarks and a label (`#1`, `#2`, … in the
    /// order given, with gender and age when `attributes`), as `visage analyze --annotate`
    /// writes it.
    public func annotated(with faces: [Face], attributes: Bool) -> Image {
        var canvas = self
        let thickness = Image.annotationThickness(width: width, height: height)
        let textScale = Image.annotationTextScale(width: width, height: height)
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
            canvas.drawLabel(label, over: face.box, color: .green, textScale: textScale)
        }
        return canvas
    }
}
