import ArgumentParser
import VisageJSON
import Foundation
import Visage
import VisageGallery

struct EnrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Add people to a gallery from photos: the largest face of each photo becomes a template.",
        discussion: """
        With --name, the images are photos of one new person. With --folders, every sub-folder \
        of DIR is one person named after the folder (DIR/<person>/*.jpg). Each person is \
        committed on its own and printed as soon as it is; a photo without a face is reported \
        and skipped (exit code 3).

        Each template holds SFace's embedding and the masked-face attention head's, and \
        whether the mask classifier called the face masked, so that a masked face can be \
        identified later (docs/gallery.md); with --no-research-only-models only SFace's (the \
        head is research-only; `visage gallery reembed` adds its embedding later). Enrol from unmasked photos: a person enrolled from \
        a masked photo gets a warning (\"warning\" in the JSON), because an unmasked photo of \
        them matches a masked template poorly; so does one whose photo looks like a child's \
        (estimated under 13), because children's faces are confused with each other far more \
        often (`visage eval demographics`).

        In a gallery that requires consent (`visage gallery consent required`), each person \
        needs a consent record: --consent TEXT, stored as the metadata key `consent` (where \
        the signed form is kept, what it covers); without it nothing is analysed or stored.

        Examples:
          visage enroll --gallery staff.gallery --name "Ada Lovelace" ada1.jpg ada2.jpg
          visage enroll --gallery staff.gallery --name "Ada Lovelace" --consent "form 2026-114" ada1.jpg
          visage enroll --gallery staff.gallery --folders people/ --json
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: GalleryOptions

    @Option(help: "Name of the person the images show.")
    var name: String?

    @Option(help: ArgumentHelp("A folder with one sub-folder of photos per person.", valueName: "dir"))
    var folders: String?

    @Option(parsing: .singleValue, help: ArgumentHelp("Metadata of the person, key=value (repeatable; with --name only).", valueName: "key=value"))
    var metadata: [String] = []

    @Option(help: ArgumentHelp("The person's consent record (where it is kept, what it covers), stored as metadata `consent`; "
                               + "with --folders, the same record for everyone enrolled.", valueName: "text"))
    var consent: String?

    @Argument(help: "Photos of the person (files or folders), with --name.")
    var images: [String] = []

    func validate() throws {
        switch (name, folders) {
        case (nil, nil): throw ValidationError("Give --name NAME with images, or --folders DIR.")
        case (.some, .some): throw ValidationError("Give either --name or --folders, not both.")
        case (.some, nil) where images.isEmpty: throw ValidationError("Give the images of \(name!).")
        case (nil, .some) where !images.isEmpty: throw ValidationError("With --folders, images come from the folder; give no image arguments.")
        default: break
        }
        for pair in metadata where !pair.contains("=") || pair.hasPrefix("=") { throw ValidationError("--metadata takes key=value, not \(pair).") }
        if let name, let problem = Self.nameProblem(name) { throw ValidationError("--name: \(problem)") }
        if let consent, consent.allSatisfy(\.isWhitespace) { throw ValidationError("--consent needs the record's text, not a blank.") }
        if consent != nil, metadata.contains(where: { $0.hasPrefix(Gallery.consentMetadataKey + "=") }) {
            throw ValidationError("Give the consent record once: --consent TEXT or --metadata \(Gallery.consentMetadataKey)=TEXT.")
        }
    }

    func run() async throws {
        var people: [(name: String, images: [String])] = []
        var refusedFolders = 0
        if let name {
            people = [(Person.storedName(name), ImageInputs.expand(images))]
            guard !people[0].images.isEmpty else { throw ValidationError("No images found in: \(images.joined(separator: ", ")).") }
        } else if let folders {
            var problem = FileManager.default.fileExists(atPath: folders) ? nil : "\(folders) does not exist."
            do { try FileInPlaceOfFolder.check(folders) } catch { problem = error.localizedDescription }
            if let problem {
                printError("Error: \(problem) Give a folder with one sub-folder of photos per person (DIR/<person>/*.jpg).")
                throw VisageExitCode.badInput
            }
            let root = URL(fileURLWithPath: folders, isDirectory: true)
            let entries = try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
            for entry in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent })
            where (try? entry.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                let photos = ImageInputs.expand([entry.path])
                guard !photos.isEmpty else { continue }
                if let problem = Self.nameProblem(entry.lastPathComponent) {
                    printError("\(entry.path): not enrolled, the folder's name is not a usable name: \(problem)")
                    refusedFolders += 1
                    continue
                }
                people.append((Person.storedName(entry.lastPathComponent), photos))
            }
            guard !people.isEmpty else {
                if refusedFolders > 0 { throw VisageExitCode.badInput }
                throw ValidationError("No sub-folders with photos in \(folders).")
            }
        }
        let pairs = metadata.map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        var metadataDictionary = Dictionary(pairs.map { ($0[0], $0.count > 1 ? $0[1] : "") }, uniquingKeysWith: { $1 })
        if let consent { metadataDictionary[Gallery.consentMetadataKey] = consent }

        // One stream over every photo keeps two images in flight across person boundaries.
        let allImages = people.flatMap(\.images)
        let analyzer = try global.makeAnalyzer(tasks: Gallery.enrollmentTasks, imagesInFlight: min(allImages.count, FaceAnalyzer.defaultBatchConcurrency))
        let gallery = try await options.open(analyzer: analyzer, creating: true)
        // Before any photo is analysed: the gallery would refuse every person at the end.
        if !Gallery.hasConsentRecord(metadataDictionary), try await gallery.consentRequired() {
            throw GalleryError.consentMissing(name: people[0].name)
        }
        let owner = people.enumerated().flatMap { index, person in Array(repeating: index, count: person.images.count) }
        var progress = Progress(total: allImages.count)
        var templates: [Template] = []
        var ages: [Float?] = []
        var rejected: [(String, String)] = []
        var badInputs = refusedFolders, enrolled = 0
        var current = 0

        func commit(_ index: Int) async throws {
            defer { templates = []; ages = []; rejected = [] }
            let person = people[index]
            badInputs += rejected.count
            guard !templates.isEmpty else {
                badInputs += rejected.isEmpty ? 1 : 0
                report(name: person.name, stored: nil, rejected: rejected)
                return
            }
            let (stored, _) = try await gallery.enroll(name: person.name, metadata: metadataDictionary, templates: templates)
            enrolled += 1
            report(name: person.name, stored: stored, rejected: rejected, warning: Gallery.enrollmentWarning(templates, ages: ages))
        }

        for await item in analyzer.analyzeFiles(allImages) {
            progress.advance(item.path)
            let index = owner[item.index]
            if index != current {
                try await commit(current)
                current = index
            }
            switch item.result {
            case let .success(analyzed):
                if let face = analyzed.faces.largest, face.embedding != nil {
                    templates.append(try gallery.template(for: face, imageData: FileManager.default.contents(atPath: item.path)))
                    ages.append(face.age)
                } else {
                    rejected.append((item.path, "no face found"))
                }
            case let .failure(error):
                rejected.append((item.path, FaceReport.message(for: error)))
            }
        }
        try await commit(current)
        if !global.json, people.count > 1 { print("\(enrolled) of \(people.count) people enrolled in \(options.shownLocation)") }
        if badInputs > 0 { throw VisageExitCode.badInput }
    }

    /// What is wrong with a person's name (``Person/nameProblem(_:)``, the service's rule too),
    /// said after "--name: " or a folder's path, or nil.
    static func nameProblem(_ raw: String) -> String? {
        guard let sentence = Person.nameProblem(raw)?.sentence else { return nil }
        return sentence.prefix(1).lowercased() + sentence.dropFirst()
    }

    private func report(name: String, stored: Person?, rejected: [(String, String)], warning: String? = nil) {
        if global.json {
            printNow(JSONValue.object([
                ("name", .string(name)),
                ("id", stored.map { .integer(Int($0.id)) } ?? .null),
                ("templates", .integer(stored?.templateCount ?? 0)),
                ("rejected", .array(rejected.map { .object([("image", .string($0.0)), ("error", .string($0.1))]) })),
            ] + (warning.map { [("warning", JSONValue.string($0))] } ?? [])).rendered)
        } else {
            for (path, reason) in rejected { printError("\(path): \(reason)") }
            if let warning { printError("warning: \(name): \(warning)") }
            if let stored {
                printNow("enrolled #\(stored.id) \(name): \(stored.templateCount) template\(stored.templateCount == 1 ? "" : "s")")
            } else {
                printError("\(name): not enrolled, no photo with a face")
            }
        }
    }
}
