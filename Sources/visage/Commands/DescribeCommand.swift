import ArgumentParser
import Visage
import VisageJSON
import VisageAsk

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe each face in plain words, from what Visage measured and nothing else.",
        discussion: """
        Per face: where it is, apparent age and gender with how sure the models are in words \
        ("probably", "unclear"), head pose from the landmarks, and whether it is fit to enrol \
        (size, detector score, sharpness of the aligned crop, pose); expression and mask when \
        this build measures them, and who it is when --gallery is given. Faces are numbered \
        from the left of the picture.

        Examples:
          visage describe group.jpg
          visage describe --json --gallery staff.gallery door.jpg
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var gallery: OptionalGalleryOptions

    @Argument(help: "Image files or folders.")
    var paths: [String]

    func run() async throws {
        let images = ImageInputs.expand(paths)
        guard !images.isEmpty else { throw ValidationError("No images found in: \(paths.joined(separator: ", ")).") }
        let analyzer = try global.makeAnalyzer(tasks: PhotoQuestioning.tasks)
        var badInputs = 0
        for path in images {
            let photo: PhotoAnalysis
            do {
                photo = try await PhotoQuestioning.analyze(path, analyzer: analyzer, gallery: gallery).1
            } catch let exit as ExitCode where exit == VisageExitCode.badInput {
                badInputs += 1
                continue
            }
            print(global.json ? photo.descriptionJSON(image: path).rendered : "\(path): " + Describer(photo: photo).describe().text)
        }
        if badInputs > 0 { throw VisageExitCode.badInput }
    }
}
