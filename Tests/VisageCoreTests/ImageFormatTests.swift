import Testing
import VisageCore

/// The one list of image file extensions that every folder walker uses.
struct ImageFormatTests {
    @Test(arguments: [("photo.jpg", true), ("a/b/PHOTO.JPEG", true), ("x.png", true), ("y.WebP", true),
                      ("notes.txt", false), ("noextension", false), ("folder.jpg/readme", false), (".jpg", true), ("archive.jpg.gz", false)])
    func recognisesImageExtensions(_ path: String, _ expected: Bool) {
        #expect(ImageFormat.hasImageExtension(path) == expected)
    }
}
