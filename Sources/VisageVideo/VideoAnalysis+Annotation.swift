import Foundation
import Visage
import VisageCore

extension VideoAnalysis {
    /// Writes the analysed video with every tracked face boxed and labelled (`label` names a
    /// track; each track keeps one colour) on a second decode of the analysed frames, as
    /// `visage video analyze --annotate` does; returns the encoder used.
    public func writeAnnotated(to path: String, label: (FaceTrack) -> String) throws -> String {
        let fps = info.framesPerSecond > 0 ? info.framesPerSecond : 25
        let writer = try VideoWriter(path: path, width: info.width, height: info.height, framesPerSecond: fps)
        let thickness = Image.annotationThickness(width: info.width, height: info.height)
        let textScale = Image.annotationTextScale(width: info.width, height: info.height)
        let colors: [RGB] = [.green, .yellow, .magenta, .red, .blue]
        try VideoFaceAnalysis.replay(self) { frame, tracked in
            var canvas = frame.image
            for (track, observation) in tracked {
                canvas.drawLabelledBox(observation.face.box, label: label(track), color: colors[(track.id - 1) % colors.count],
                                       thickness: thickness, textScale: textScale)
            }
            try writer.append(canvas)
        }
        try writer.finish()
        return writer.encoder
    }
}
