import Foundation
import VisageTestSupport

/// The shared clip (../shared/data/videos) and scratch folders for the video tests.
extension Fixtures {
    /// A real clip from the shared data: LivePortrait's driving video d0 (MIT), 512×512, 25 fps.
    static var clip: String? { data("videos/liveportrait-d0.mp4") }

    static var hasClip: Bool { clip != nil }

    /// A new scratch folder as a URL, removed when the test process exits.
    static func temporaryURL() throws -> URL { URL(fileURLWithPath: try temporaryDirectory(prefix: "visage-video-tests")) }
}
