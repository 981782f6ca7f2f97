public import VisageCore
public import Visage

/// Draws a face mask onto a face: the seam where the masked-faces renderer (issue #5) plugs
/// into `visage dataset mask`. A renderer gets the whole image and one detected face (box and
/// five landmarks, in image pixels) and paints in place; `variant` is a deterministic
/// per-image number it may use to pick a colour or shape, so a re-run gives the same copy.
///
/// ```swift
/// struct MyRenderer: FaceMaskRenderer {
///     let name = "mine"
///     func render(on image: inout Image, face: Face, variant: UInt64) { /* paint */ }
/// }
/// ```
public protocol FaceMaskRenderer: Sendable {
    /// Short name recorded in the masked copy's manifest.
    var name: String { get }
    func render(on image: inout Image, face: Face, variant: UInt64)
}
